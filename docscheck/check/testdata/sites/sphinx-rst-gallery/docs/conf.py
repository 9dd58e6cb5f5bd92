# Fixture: sphinx-gallery writes the gallery's pages, images and scripts
# into the folders its config names, and nowhere else.
project = "fixture"
extensions = ["sphinx_gallery.gen_gallery"]
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["gallery"],
    "backreferences_dir": "gen_modules/backreferences",
}
