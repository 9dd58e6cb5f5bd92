import nox


@nox.session(python=["3.11", "3.12"])
def tests(session):
    session.run("pytest")


@nox.session(name="docs-live")
def docs_live(session):
    session.run("sphinx-autobuild", "docs", "build")
