package repo

import (
	"slices"
	"testing"
)

func TestNoxSessions(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "plain/noxfile.py", "import os\nimport nox\n\n@nox.session(python=[\"3.11\", \"3.12\"])\ndef tests(session: nox.Session) -> None:\n    session.run(\"pytest\")\n\n\n@nox.session(\n    name=\"docs-live\",\n    reuse_venv=True,\n)\n@nox.parametrize(\"x\", [1])\ndef docs_live(session, x):\n    pass\n\nfrom nox import session\n\n@session\nasync def lint(session):\n    pass\n")
	writeFile(t, root, "local/noxfile.py", "import nox\nfrom tasks import extra\n\n@nox.session\ndef tests(session):\n    pass\n")
	writeFile(t, root, "local/tasks/__init__.py", "")
	writeFile(t, root, "called/noxfile.py", "import nox\n\n@nox.session\ndef tests(session):\n    pass\n\nfor v in ['a', 'b']:\n    nox.session(name=v)(tests)\n")
	writeFile(t, root, "wrapper/noxfile.py", "import nox_uv\n\n@nox_uv.session\ndef tests(session):\n    pass\n")
	r := New(root)
	got := r.NoxSessions("plain/noxfile.py")
	if want := []string{"tests", "docs-live", "lint"}; !got.Known || !slices.Equal(got.Names, want) {
		t.Errorf("plain: got %+v, want known %q", got, want)
	}
	for name, want := range map[string]bool{"tests": true, "tests-3.12": true, "docs-live": true, "docs-live(x=1)": true, "lint": true, "docs_live": false, "test": false} {
		if got.Has(name) != want {
			t.Errorf("plain: Has(%q) = %v, want %v", name, !want, want)
		}
	}
	for _, f := range []string{"local/noxfile.py", "called/noxfile.py", "wrapper/noxfile.py", "missing/noxfile.py"} {
		if s := r.NoxSessions(f); s.Known {
			t.Errorf("%s: sessions %q known, want not known", f, s.Names)
		}
	}
}
