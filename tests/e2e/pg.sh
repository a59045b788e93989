# pg.sh: a throwaway PostgreSQL cluster on a loopback port for the sync tests (sourced after
# lib.sh). Sets PGBIN, PSQL, BASE (a URL without a database) and q URL SQL; the cluster is stopped
# and removed when the test ends. Without PostgreSQL (and no way to install it) the test is skipped
# (PG_OPTIONAL=1: only its server part, PG_MISSING is set).
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
PGBIN=$(pg_bin)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo -n"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    postgresql >/dev/null 2>&1
  PGBIN=$(pg_bin)
fi
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  # PG_OPTIONAL: the test runs its other parts and skips the server's (PG_MISSING set)
  if [ -n "${PG_OPTIONAL:-}" ]; then PG_MISSING=1; return 0; fi
  echo "1..0 # SKIP PostgreSQL is not installed and could not be installed"
  exit 0
fi
PGDIR=$(mktemp -d /tmp/vaxsite-pg.XXXXXX)
# postgres refuses to run as root: the cluster belongs to the postgres user then
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin postgres
  chown postgres "$PGDIR"
  as_pg() { su postgres -s /bin/sh -c "$1"; }
else
  as_pg() { sh -c "$1"; }
fi
PORT=$((20000 + ($$ + ${PG_PORT_SALT:-0}) % 20000))
pg_stop() {
  as_pg "'$PGBIN/pg_ctl' -D '$PGDIR/data' -m immediate stop" >/dev/null 2>&1
  rm -rf "$PGDIR"
}
trap 'pg_stop; cleanup' EXIT
as_pg "'$PGBIN/initdb' -D '$PGDIR/data' -A trust -U vax -E UTF8 --no-locale" >/dev/null ||
  { echo "Bail out! initdb failed"; exit 1; }
# a port another program holds makes the start fail: try a few
for try in 1 2 3 4 5; do
  as_pg "'$PGBIN/pg_ctl' -D '$PGDIR/data' -l '$PGDIR/log' -w -o \"-p $PORT -k '$PGDIR' \
    -c listen_addresses=127.0.0.1\" start" >/dev/null && break
  [ $try -eq 5 ] && { echo "Bail out! the cluster did not start: $(tail -3 "$PGDIR/log")"; exit 1; }
  PORT=$((PORT + 997))
done
PSQL="$PGBIN/psql"
BASE="postgresql://vax@127.0.0.1:$PORT"
q() { "$PSQL" "$1" -Atqc "$2"; }
