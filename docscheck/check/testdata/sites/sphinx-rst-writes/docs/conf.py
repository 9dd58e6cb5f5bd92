import shutil

project = "fixture"
# The changelog page is copied in at build time.
shutil.copy("../CHANGES.rst", "changes.rst")
