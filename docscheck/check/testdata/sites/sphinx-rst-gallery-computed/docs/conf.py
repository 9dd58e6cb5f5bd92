# Fixture: sphinx-gallery whose gallery folders conf.py computes: where it
# writes is unknown.
project = "fixture"
extensions = ["sphinx_gallery.gen_gallery"]
examples = ["tutorials", "howto"]
sphinx_gallery_conf = {
    "examples_dirs": ["../" + e for e in examples],
    "gallery_dirs": examples,
}
