#!/bin/bash
# The store (db.c) opens, migrates by walking schema.c's steps, caches statements and runs
# transactions; it must not reach into a domain module (a seed, the catalogue, staff rights), or
# the bottom layer of core could not be built or tested without the rest. This reads the symbols
# db.c's object leaves to the linker: of core's own (vax_*), only the clock's, the growable
# buffer's (buf.c, which like the clock calls nothing of core's above db.c) and the schema table's
# are allowed; SQLite, the C library, OpenSSL's random bytes and gettext are not core's.
# Usage: check_db_layering.sh LIBVAXCORE.a
set -u
lib=$1
nm=${NM:-nm}

# nm prints "path/member.o:" before each member of an archive (thin or not)
member_symbols() { # $1: nm options, $2: member file name
  "$nm" $1 "$lib" 2>/dev/null | awk -v m="$2" '
    /:$/ { n = $0; sub(/:$/, "", n); sub(/.*\//, "", n); inside = (n == m); seen += inside; next }
    inside && NF { print $NF }
    END { if (!seen) exit 3 }'
}

db_undefined=$(member_symbols -u db.c.o) || { echo "no db.c.o in $lib"; exit 1; }
clock_defined=$(member_symbols "--defined-only -g" clock.c.o) || { echo "no clock.c.o in $lib"; exit 1; }
buf_defined=$(member_symbols "--defined-only -g" buf.c.o) || { echo "no buf.c.o in $lib"; exit 1; }
allowed=$(printf '%s\n' $clock_defined $buf_defined vax_schema_step)

bad=0
for sym in $db_undefined; do
  case $sym in
  vax_*)
    if ! grep -qx "$sym" <<<"$allowed"; then
      echo "db.c calls $sym, which belongs to a domain module"
      bad=1
    fi
    ;;
  esac
done
# and the buffer itself reaches no higher than the store (its errors) and the clock
db_defined=$(member_symbols "--defined-only -g" db.c.o)
for sym in $(member_symbols -u buf.c.o); do
  case $sym in
  vax_*)
    if ! grep -qx "$sym" <<<"$(printf '%s\n' $db_defined $clock_defined)"; then
      echo "buf.c calls $sym, which belongs to a domain module"
      bad=1
    fi
    ;;
  esac
done
[ "$bad" = 0 ] && echo "db.c depends only on SQLite, the C library, the clock, the buffer and schema.c"
exit "$bad"
