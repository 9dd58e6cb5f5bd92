# The pages are reStructuredText; drafts are not built.
project = "fixture"
extensions = ["sphinx.ext.todo"]
exclude_patterns = ["_build", "drafts/**"]
