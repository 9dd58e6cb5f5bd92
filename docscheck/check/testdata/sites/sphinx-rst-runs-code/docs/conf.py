# Fixture: IPython's directive runs the pages' code at build time.
project = "fixture"
extensions = ["IPython.sphinxext.ipython_directive"]
