import os

project = "fixture"
extensions = ["nbsphinx"]


def generate(app):
    # Writes the plugin pages and their figures before the build reads them.
    os.makedirs(os.path.join(os.path.dirname(__file__), "generated"), exist_ok=True)


def setup(app):
    app.connect("builder-inited", generate)
