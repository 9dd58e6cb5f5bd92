#!/usr/bin/env bash
# Stage a deploy bundle of the reference backend into DIR:
#   DIR/reference-backend            static binary (CGO_ENABLED=0)
#   DIR/migrations/*.sql             the migration files it applies
#   DIR/apply-deploy-migrations.sh   applies them with the staged binary
#   DIR/deploy-smoke.sh              probes a running instance (needs only curl)
#   DIR/BUNDLE                       what was staged, from which commit
# DIR must be outside the repository (the source tree stays untouched) and
# either not exist yet or be empty.
# Usage: scripts/stage-deploy.sh DIR
set -euo pipefail

die() { echo "stage-deploy: $*" >&2; exit 1; }

[ $# -eq 1 ] && [ -n "$1" ] || die "usage: scripts/stage-deploy.sh DIR (a new or empty folder outside the repository)"
for cmd in go realpath cp mkdir chmod sha256sum date; do
	command -v "$cmd" >/dev/null 2>&1 || die "$cmd is not installed or not on PATH"
done

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$script_dir/.." && pwd -P)
[ -f "$repo/go.mod" ] && [ -d "$repo/backend" ] || die "cannot find the repository (go.mod, backend/) above $script_dir"
for f in apply-deploy-migrations.sh deploy-smoke.sh; do
	[ -f "$script_dir/$f" ] || die "missing $script_dir/$f"
done
shopt -s nullglob
sql=("$repo"/migrations/*.sql)
[ ${#sql[@]} -gt 0 ] || die "no migration files in $repo/migrations"

# Resolve DIR without creating anything, so a refused DIR leaves no trace.
target=$(realpath -m -- "$1")
case "$target/" in
"$repo"/*) die "DIR $target is inside the repository $repo; stage outside it so the source tree stays clean" ;;
esac
if [ -e "$target" ]; then
	[ -d "$target" ] || die "DIR $target exists and is not a folder"
	[ -z "$(ls -A -- "$target")" ] || die "DIR $target is not empty; give a new or empty folder"
fi
mkdir -p -- "$target/migrations" || die "cannot create $target"

echo "stage-deploy: building a static reference-backend"
(cd "$repo" && CGO_ENABLED=0 go build -ldflags="-s -w" -o "$target/reference-backend" ./backend) || die "go build ./backend failed"
[ -x "$target/reference-backend" ] || die "the build left no executable at $target/reference-backend"

cp -- "${sql[@]}" "$target/migrations/"
cp -- "$script_dir/apply-deploy-migrations.sh" "$script_dir/deploy-smoke.sh" "$target/"
chmod 0755 "$target/apply-deploy-migrations.sh" "$target/deploy-smoke.sh" "$target/reference-backend"

commit=unknown
if command -v git >/dev/null 2>&1 && commit=$(git -C "$repo" rev-parse HEAD 2>/dev/null); then
	[ -z "$(git -C "$repo" status --porcelain 2>/dev/null)" ] || commit="$commit (dirty)"
else
	commit=unknown
fi
{
	echo "commit: $commit"
	echo "staged_at: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "binary_sha256: $(sha256sum "$target/reference-backend" | cut -d' ' -f1)"
	echo "migrations: ${#sql[@]}"
} >"$target/BUNDLE"

echo "stage-deploy: staged in $target: reference-backend, migrations/ (${#sql[@]} files), apply-deploy-migrations.sh, deploy-smoke.sh"
