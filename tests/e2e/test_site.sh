#!/bin/bash
# A real site from the command line: the device id of a copied file, site init and show, the demo
# mark and the refusals of a demo site, the settings table, staff administration.
. "$(dirname "$0")/lib.sh"

V() { $VAXSITE --db "$DB" --lang en "$@"; }
dev_of() { $VAXSITE --db "$1" --lang en device show 2>/dev/null | sed -n 's/^device: //p'; }

# --- a laptop is one device ------------------------------------------------------------------
echo 2468 | V staff add --login hoa --name "Nguyễn Thị Hoa" --role manager >/dev/null
first=$(dev_of "$DB")
check "device show prints a device id" test ${#first} -eq 36
equal "the same file on the same path keeps its id" "$first" "$(dev_of "$DB")"
cp "$DB" "$WORK/copy.db"
out=$($VAXSITE --db "$WORK/copy.db" --lang en device show 2>&1)
copied=$(printf '%s\n' "$out" | sed -n 's/^device: //p')
check "a copy opened on another path gets a new device id" test -n "$copied" -a "$copied" != "$first"
case "$out" in
*"copied from another machine or folder"*"was $first"*) ok "the copy says so, naming the old id" ;;
*) not_ok "the copy says so, naming the old id" "$out" ;;
esac
equal "the copy names the id it was copied with" "previous device: $first" \
  "$(printf '%s\n' "$out" | grep '^previous device')"
equal "the copy keeps its new id afterwards" "$copied" "$(dev_of "$WORK/copy.db")"
equal "the re-mint is in the audit trail" "1" \
  "$(sqlite3 "$WORK/copy.db" "SELECT count(*) FROM audit WHERE action='device.remint'")"
cp "$DB" "$WORK/b.db"
V person add --name "Lò Văn Pá" --id 001090004321 --dob 01/02/1990 >/dev/null
$VAXSITE --db "$WORK/b.db" person add --name "Lò Thị Xuân" --id 001190004322 --dob 01/02/1990 >/dev/null 2>&1
last_dev() { sqlite3 "$1" "SELECT device FROM sync_outbox ORDER BY seq DESC LIMIT 1"; }
equal "the original writes its events under its own id" "$first" "$(last_dev "$DB")"
equal "the copy writes its events under its new id" "$(dev_of "$WORK/b.db")" "$(last_dev "$WORK/b.db")"
check "the two laptops write under different ids" test "$(last_dev "$DB")" != "$(last_dev "$WORK/b.db")"
equal "no event uuid is shared by the copies' new events" "0" \
  "$(sqlite3 "$DB" "ATTACH '$WORK/b.db' AS b; SELECT count(*) FROM sync_outbox o JOIN b.sync_outbox p USING (uuid) WHERE o.seq > (SELECT max(seq) - 1 FROM sync_outbox)")"

finish
