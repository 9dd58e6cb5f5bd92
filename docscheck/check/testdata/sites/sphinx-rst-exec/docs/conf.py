project = "fixture"
# The version is read from the package without importing it.
exec(open("../pkg/_version.py", "r", encoding="utf-8").read())
release = __version__
