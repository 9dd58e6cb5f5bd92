#!/usr/bin/env bash
# Smoke-check a running reference backend at BASE_URL: GET /health answers
# 200, POST /jobs is accepted, and the job reaches "processed" before the
# deadline. Fails closed (exit 1, one line) on a missing command, a malformed
# BASE_URL, or a job that never gets processed. Needs only curl.
# Usage: BASE_URL=http://127.0.0.1:8080 [SMOKE_TIMEOUT_S=30] deploy-smoke.sh
set -euo pipefail

die() { echo "deploy-smoke: FAIL: $*" >&2; exit 1; }
say() { echo "deploy-smoke: $*"; }

for cmd in curl grep sed head date sleep; do
	command -v "$cmd" >/dev/null 2>&1 || die "$cmd is not installed or not on PATH"
done

base=${BASE_URL:-}
[ -n "$base" ] || die "BASE_URL is not set (e.g. BASE_URL=http://127.0.0.1:8080)"
# The value is not echoed: a malformed one may hold credentials.
if ! [[ "$base" =~ ^https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:([0-9]{1,5}))?/?$ ]]; then
	die "BASE_URL is malformed: want http(s)://host[:port] with no path, user or query"
fi
port=${BASH_REMATCH[3]:-}
if [ -n "$port" ] && { [ "$((10#$port))" -lt 1 ] || [ "$((10#$port))" -gt 65535 ]; }; then
	die "BASE_URL is malformed: port must be 1..65535"
fi
base=${base%/}

timeout_s=${SMOKE_TIMEOUT_S:-30}
[[ "$timeout_s" =~ ^[1-9][0-9]{0,4}$ ]] || die "SMOKE_TIMEOUT_S must be a positive whole number of seconds"
deadline=$((SECONDS + timeout_s))

# request METHOD PATH [BODY]: sets code and body; returns 1 on a transport error.
request() {
	local left=$((deadline - SECONDS))
	[ "$left" -ge 1 ] || left=1
	[ "$left" -le 5 ] || left=5
	local out
	if [ $# -ge 3 ]; then
		out=$(curl -sS --max-time "$left" -X "$1" -H 'Content-Type: application/json' --data-binary "$3" -w '\n%{http_code}' "$base$2" 2>&1) || return 1
	else
		out=$(curl -sS --max-time "$left" -X "$1" -w '\n%{http_code}' "$base$2" 2>&1) || return 1
	fi
	code=${out##*$'\n'}
	body=${out%$'\n'*}
}

# field NAME: the first string value of "NAME" in $body.
field() {
	printf '%s' "$body" | grep -o "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" | head -n 1 | sed 's/.*:[[:space:]]*"\([^"]*\)"$/\1/'
}

code='' body=''
until request GET /health && [ "$code" = 200 ]; do
	[ "$SECONDS" -lt "$deadline" ] || die "GET /health did not answer 200 within ${timeout_s}s (last: ${code:-no answer})"
	sleep 0.2
done
say "ok: GET /health 200 (status $(field status))"

request POST /jobs "{\"smoke\":true,\"at\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}" || die "POST /jobs: no answer"
[ "$code" = 201 ] || die "POST /jobs answered $code, want 201: $body"
id=$(field id)
[[ "$id" =~ ^[0-9a-fA-F-]{36}$ ]] || die "POST /jobs returned no job id: $body"
say "ok: POST /jobs 201 (job $id)"

polls=0 status=''
while :; do
	if request GET "/jobs/$id"; then
		polls=$((polls + 1))
		[ "$code" = 200 ] || die "GET /jobs/$id answered $code, want 200: $body"
		status=$(field status)
		case "$status" in
		processed) break ;;
		failed) die "job $id failed: $(field last_error)" ;;
		esac
	fi
	[ "$SECONDS" -lt "$deadline" ] || die "job $id did not reach processed within ${timeout_s}s (last status: ${status:-unknown}, $polls polls)"
	sleep 0.2
done
say "ok: job $id processed ($polls polls)"
say "PASS"
