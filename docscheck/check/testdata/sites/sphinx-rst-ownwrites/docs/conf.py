import glob
import os
import shutil

project = "fixture"

# The example scripts are copied in at build time, beside a table of them.
os.makedirs("examples", exist_ok=True)
for script in glob.glob("../scripts/*.py"):
    shutil.copy(script, "examples")
table = "summary"
with open(table + ".csv", "w") as out:
    out.write("name\n")

html_logo = "_static/logo.png"
html_static_path = ["_static"]
html_extra_path = [
    "extra",
]
