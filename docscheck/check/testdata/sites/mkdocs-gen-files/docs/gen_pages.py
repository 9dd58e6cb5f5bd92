# Writes one install page per platform into the site at build time.
