#!/usr/bin/env bash
# Times docscheck against markdown-link-check on the same generated corpus
# (1,000 pages from docscheck's BenchmarkCorpus1000), side by side: the two
# tools take turns inside each of ROUNDS rounds (default 5), so both see the
# same machine load, and the median of the per-round ratios is printed, for
# wall-clock time and for CPU time (user + system). Both tools must find the
# corpus clean. markdown-link-check comes from npm, installed on first use
# into MLC_DIR (default ~/.cache/prodproof/markdown-link-check); this is not
# part of make test.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${ROUNDS:-5}"
mlc_version=3.15.0
mlc_dir="${MLC_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/prodproof/markdown-link-check}"
mlc="$mlc_dir/node_modules/.bin/markdown-link-check"
if [[ ! -x "$mlc" ]]; then
	command -v npm >/dev/null || { echo "bench-docscheck: npm is needed to install markdown-link-check" >&2; exit 2; }
	npm install --no-audit --no-fund --prefix "$mlc_dir" "markdown-link-check@$mlc_version" >&2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
corpus="$tmp/corpus"
mkdir -p "$corpus"
(cd "$root" && DOCSCHECK_BENCH_CORPUS="$corpus" go test -run '^$' -bench '^BenchmarkCorpus1000$' -benchtime 1x ./docscheck/check >/dev/null)
(cd "$root" && go build -o "$tmp/docscheck" ./docscheck)
pages="$(find "$corpus/docs/gen" -name '*.md' | wc -l)"

# measure CMD...: runs it in the corpus and prints "wall cpu" in seconds.
measure() {
	local TIMEFORMAT='%R %U %S' out
	out="$( { time (cd "$corpus" && "$@" >"$tmp/out" 2>&1) ; } 2>&1 )" || { echo "bench-docscheck: $1 failed:" >&2; tail -5 "$tmp/out" >&2; exit 1; }
	awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<<"$out"
}

echo "corpus: $pages pages; docscheck $("$tmp/docscheck" --version | cut -d' ' -f2), markdown-link-check $mlc_version, node $(node --version)"
printf '%-6s %12s %12s %12s %12s %10s %10s\n' round "dc wall s" "dc cpu s" "mlc wall s" "mlc cpu s" "wall x" "cpu x"
: >"$tmp/ratios"
for r in $(seq 1 "$rounds"); do
	read -r dw dc < <(measure "$tmp/docscheck" --root "$corpus" docs/gen)
	summary="$(tail -1 "$tmp/out")"
	read -r mw mc < <(measure "$mlc" docs/gen)
	awk -v r="$r" -v dw="$dw" -v dc="$dc" -v mw="$mw" -v mc="$mc" 'BEGIN {
		printf "%-6s %12.3f %12.3f %12.3f %12.3f %10.1f %10.1f\n", r, dw, dc, mw, mc, mw/dw, mc/dc
		printf "%f %f\n", mw/dw, mc/dc > "/dev/stderr"
	}' 2>>"$tmp/ratios"
done
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2) }'; }
echo "docscheck per run: $summary"
echo "markdown-link-check per run: $(grep -c "\[✓\]" "$tmp/out" || true) links checked"
echo "median ratio (markdown-link-check / docscheck): wall $(cut -d' ' -f1 "$tmp/ratios" | median | xargs printf '%.1f')x, cpu $(cut -d' ' -f2 "$tmp/ratios" | median | xargs printf '%.1f')x"
