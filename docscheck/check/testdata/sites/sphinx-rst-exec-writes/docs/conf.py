project = "fixture"
# The table of options is written by a script run in conf.py's namespace.
exec(open("make_table.py").read(), dict(globals()))
