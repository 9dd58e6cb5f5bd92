project = "fixture"
# autosummary writes a stub page for each documented object at build time.
extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary"]
autosummary_generate = True
