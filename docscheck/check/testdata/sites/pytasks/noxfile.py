import nox


@nox.session
def lint(session):
    session.run("ruff", "check", ".")


@nox.session
def make_changelog(session):
    session.run("python", "tools/changelog.py")
