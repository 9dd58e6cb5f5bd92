import pathlib

for name in ["a", "b"]:
    text = pathlib.Path("tools/templates/_page.md").read_text().replace("{{ name }}", name)
    pathlib.Path(f"site/{name}.md").write_text(text)
