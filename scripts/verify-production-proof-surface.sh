#!/usr/bin/env bash
# Verifies docs/production-backend-proof.md against its contract in
# docscheck.json: the required headings in order, every catalog proof named,
# and every link, command and proof name it quotes real. Extra arguments go
# to docscheck (e.g. --format github). Exit status is docscheck's: 0 clean,
# 1 findings, 2 bad usage or a missing page. (docscheck is built rather than
# run with `go run`, which would turn every failure into status 1.)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/docscheck" ./docscheck)
status=0
"$tmp/docscheck" --root "$root" --config "$root/docscheck.json" "$@" docs/production-backend-proof.md || status=$?
exit "$status"
