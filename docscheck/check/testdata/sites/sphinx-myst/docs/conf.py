project = "fixture"
extensions = ["myst_parser", "sphinx.ext.autodoc"]
