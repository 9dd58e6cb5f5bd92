import subprocess

project = "fixture"
# nbsphinx reads the notebooks the source holds; it writes no source page.
extensions = ["nbsphinx", "jupyter_sphinx"]
# The commit for source links: git only reads the repository.
commit = subprocess.check_output(["git", "rev-parse", "HEAD"], text=True).strip()
