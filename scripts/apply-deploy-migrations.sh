#!/usr/bin/env bash
# Apply a staged bundle's migrations to DATABASE_URL with the staged binary
# (MIGRATIONS_DIR points it at the bundle's migrations/). Needs no Go
# toolchain. Run it from the bundle that scripts/stage-deploy.sh made.
# Usage: DATABASE_URL=postgres://... DIR/apply-deploy-migrations.sh
set -euo pipefail

die() { echo "apply-deploy-migrations: $*" >&2; exit 1; }

command -v dirname >/dev/null 2>&1 || die "dirname is not installed or not on PATH"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
bin="$here/reference-backend"
[ -x "$bin" ] || die "missing or not executable: $bin (stage a bundle with scripts/stage-deploy.sh DIR and run DIR/apply-deploy-migrations.sh)"
[ -d "$here/migrations" ] || die "missing $here/migrations"
shopt -s nullglob
sql=("$here"/migrations/*.sql)
[ ${#sql[@]} -gt 0 ] || die "no .sql files in $here/migrations"
[ -n "${DATABASE_URL:-}" ] || die "DATABASE_URL is not set (the database to migrate)"

export MIGRATIONS_DIR="$here/migrations"
"$bin" migrate up || die "migrate up failed (see the line above)"
"$bin" migrate status || die "migrate status reports a problem (see the lines above)"
