import shutil

project = "fixture"
extensions = ["myst_parser"]
shutil.copy("../CHANGES.md", "changes.md")
