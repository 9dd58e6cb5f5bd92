#!/usr/bin/env bash
# Builds a local stand-in for the official postgres image from this machine's
# own PostgreSQL server binaries.
#
# It exists only because CI has no registry to pull postgres:15 from: with
# it, CI can still run the docker database source (dockertest) for real.
# Anyone who can pull should use the official image instead.
#
# usage: scripts/build-postgres-standin-image.sh [IMAGE]
#   IMAGE   name:tag to build (default prodproof-postgres-standin:MAJOR, where
#           MAJOR is the server's major version). A name of its own, so the
#           build never shadows a real postgres image on your daemon.
# env:    PG_BINDIR  the server's bin folder (default: the highest
#                    /usr/lib/postgresql/*/bin)
#         DOCKER_HOST, as for the docker CLI
#
# The image is FROM scratch: the server, initdb, their shared libraries and
# server modules, the share and timezone files, busybox as /bin/sh, and an
# entrypoint that honours the official image's contract: POSTGRES_PASSWORD
# (required), POSTGRES_USER (default postgres), POSTGRES_DB (default the
# user), CMD arguments passed to postgres (`postgres -c name=value ...`),
# listening on 5432 on all interfaces, data in /var/lib/postgresql/data (a
# volume), running as the non-root user postgres (uid 999). The cluster is
# made with --locale=C and UTF8 (the official image uses en_US.utf8).
set -euo pipefail

die() { echo "build-postgres-standin-image: $*" >&2; exit 1; }

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
	bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
[ -n "$bindir" ] && [ -x "$bindir/postgres" ] && [ -x "$bindir/initdb" ] ||
	die "no PostgreSQL server binaries found (set PG_BINDIR, or apt-get install -y postgresql)"
major=$("$bindir/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)?.*/\1/')
image=${1:-prodproof-postgres-standin:$major}
sharedir=$("$bindir/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$major")
pkglibdir=$("$bindir/pg_config" --pkglibdir 2>/dev/null || echo "$(dirname "$bindir")/lib")
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || die "busybox is missing (apt-get install -y busybox-static)"
ldd "$busybox" >/dev/null 2>&1 && die "$busybox is not static (apt-get install -y busybox-static)"
command -v docker >/dev/null || die "the docker CLI is missing (apt-get install -y docker.io)"
[ -d "$sharedir" ] || die "no share folder $sharedir"

work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
# root holds the files written here; everything else is archived straight
# from this machine, each file at its own absolute path, so the server finds
# its share folder and modules where it was built to look.
root=$work/root
mkdir -p "$root"

# The server modules; llvmjit pulls in LLVM (about 100 MB) for a JIT that
# is off by default in this use, so it is left out (the server then runs
# without JIT).
modules=()
for m in "$pkglibdir"/*.so; do
	case $(basename "$m") in llvmjit*) continue ;; esac
	modules+=("$m")
done
binaries=("$bindir/postgres" "$bindir/initdb" "$bindir/pg_ctl")
# They and every shared library they load, the dynamic loader included.
{
	printf '%s\n' "${binaries[@]}" "${modules[@]}"
	ldd "${binaries[@]}" "${modules[@]}" 2>/dev/null |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }'
} | sed 's|^/||' | sort -u >"$work/files"

mkdir -p "$root/bin" "$root/etc" "$root/usr/local/bin"
cp "$busybox" "$root/bin/busybox"
for applet in sh cat mkdir mktemp rm sed; do ln -s busybox "$root/bin/$applet"; done
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
postgres:x:999:999:PostgreSQL administrator:/var/lib/postgresql:/bin/sh
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
postgres:x:999:
EOF
printf 'passwd: files\ngroup: files\n' >"$root/etc/nsswitch.conf"

cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# Entrypoint of prodproof's stand-in postgres image: the official image's
# contract, in brief. See scripts/build-postgres-standin-image.sh.
set -eu
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
	set -- postgres "$@"
fi
if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
	if [ -z "${POSTGRES_PASSWORD:-}" ]; then
		echo "error: POSTGRES_PASSWORD is not set; the server would accept no password" >&2
		exit 1
	fi
	user=${POSTGRES_USER:-postgres}
	db=${POSTGRES_DB:-$user}
	pwfile=$(mktemp)
	printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
	initdb --pgdata="$PGDATA" --username="$user" --pwfile="$pwfile" \
		--auth-local=trust --auth-host=scram-sha-256 \
		--encoding=UTF8 --locale=C >/dev/null
	rm -f "$pwfile"
	echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
	echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
	if [ "$db" != postgres ]; then
		quoted=$(printf '%s' "$db" | sed 's/"/""/g')
		echo "CREATE DATABASE \"$quoted\"" | postgres --single -D "$PGDATA" postgres >/dev/null
	fi
	echo "stand-in postgres: initialised $PGDATA for user $user, database $db"
fi
exec "$@"
EOF
chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"

# Folders the server writes, owned by postgres: a second archive of just
# those entries (their parents come from the first, owned by root), so no
# step needs root (ADD keeps the owners recorded in an archive).
owned=(var/lib/postgresql var/lib/postgresql/data var/run/postgresql tmp)
mkdir -p "$root/var/lib" "$root/var/run"
mkdir -p "${owned[@]/#/$work/owned/}"
chmod 700 "$work/owned/var/lib/postgresql/data"
chmod 1777 "$work/owned/tmp"
# One archive of the machine's files, then the written ones (no "." entry:
# it would set the mode of the image's /).
# Libraries go in dereferenced (a symlink's target may lie elsewhere).
# Sorted names and fixed times for the written files make the archives the
# same from run to run, so the daemon's build cache can reuse the layers.
tar=(tar --sort=name --numeric-owner)
"${tar[@]}" -C / --owner=0 --group=0 --dereference -cf "$work/root.tar" -T "$work/files"
"${tar[@]}" -C / --owner=0 --group=0 -rf "$work/root.tar" "${sharedir#/}" usr/share/zoneinfo
"${tar[@]}" -C "$root" --owner=0 --group=0 --mtime=@0 -rf "$work/root.tar" bin etc usr var
"${tar[@]}" -C "$work/owned" --owner=999 --group=999 --mtime=@0 --no-recursion -cf "$work/owned.tar" "${owned[@]}"
rm -rf "$root" "$work/owned"

cat >"$work/Dockerfile" <<EOF
FROM scratch
LABEL org.prodproof.standin=true
ADD root.tar /
ADD owned.tar /
ENV PATH=$bindir:/usr/local/bin:/bin PGDATA=/var/lib/postgresql/data TZ=Etc/UTC
USER postgres
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
EOF
# The classic builder: BuildKit may be absent, and nothing here needs it.
# Its output (a deprecation notice, layer ids) is shown only on failure.
if ! out=$(DOCKER_BUILDKIT=0 docker build --quiet --tag "$image" "$work" 2>&1); then
	printf '%s\n' "$out" >&2
	die "docker build failed"
fi
# A rebuild leaves the previous stand-in untagged; remove such leftovers.
docker image prune --force --filter label=org.prodproof.standin=true >/dev/null
echo "built $image from $bindir (PostgreSQL $major)"
