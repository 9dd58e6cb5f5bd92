project = "fixture"
extensions = ["sphinx.ext.autodoc"]

# Link issue numbers in the changelog.
extensions += ["rst.linker"]
link_files = {
    "../NEWS.rst": dict(
        using=dict(GH="https://github.com"),
        replace=[
            dict(pattern=r"#(?P<issue>\d+)", url="{GH}/example/fixture/issues/{issue}"),
        ],
    )
}
