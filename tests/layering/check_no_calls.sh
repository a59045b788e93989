#!/bin/bash
# Fails if core module FROM calls anything core module TO defines: keeps a dependency one way
# (the queue calls the planning at check-in; the planning never calls the queue).
# Usage: check_no_calls.sh LIBVAXCORE.a FROM TO   (module names: slot, queue, ...)
set -u
lib=$1 from=$2.c.o to=$3.c.o
nm=${NM:-nm}

member_symbols() { # $1: nm options, $2: member file name
  "$nm" $1 "$lib" 2>/dev/null | awk -v m="$2" '
    /:$/ { n = $0; sub(/:$/, "", n); sub(/.*\//, "", n); inside = (n == m); seen += inside; next }
    inside && NF { print $NF }
    END { if (!seen) exit 3 }'
}

used=$(member_symbols -u "$from") || { echo "no $from in $lib"; exit 1; }
defined=$(member_symbols "--defined-only -g" "$to") || { echo "no $to in $lib"; exit 1; }
calls=$(comm -12 <(sort -u <<<"$used") <(sort -u <<<"$defined"))
if [ -n "$calls" ]; then
  echo "$2.c calls $3.c:" $calls
  exit 1
fi
echo "$2.c calls nothing of $3.c"
