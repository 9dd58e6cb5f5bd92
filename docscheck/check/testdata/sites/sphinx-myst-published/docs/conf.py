project = "fixture"
extensions = ["myst_parser"]
