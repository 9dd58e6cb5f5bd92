project = "fixture"
extensions = ["myst_parser", "sphinx.ext.autosummary"]
autosummary_generate = True
