"""A Sphinx extension of the fixture."""
