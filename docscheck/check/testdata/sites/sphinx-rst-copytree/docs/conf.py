import shutil

project = "fixture"

# The pictures are built elsewhere and copied in, folder and all.
shutil.copytree("../build/pictures", "pictures", dirs_exist_ok=True)
