from setuptools import setup

setup(
    name="pyclone",
    download_url="https://github.com/example/pyclone-downloads/tags",
    url="https://github.com/example/pyclone",
)
