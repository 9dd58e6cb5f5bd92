makedocs(pages = ["index.md", "guide/options.md"])
