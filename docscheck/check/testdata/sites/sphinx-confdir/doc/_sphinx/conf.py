project = "fixture"
root_doc = "index"
extensions = [
    "myst_parser",
]
