#!/bin/bash
# Three laptops edit the same people offline and push to the district in every order: edits of
# different fields both survive, one field edited on two laptops without seeing each other is a
# conflict with both values kept, the later stamp shows, and the district's record is the same
# whatever the push order; after every laptop has pushed and pulled, each laptop's registry of the
# commune equals the district's. A laptop whose clock says 2030 does not beat an edit made after
# its edit was seen. (The merge rules' table: test_sync.c; this runs such histories through the
# real server.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/laptops.sh"
. "$(dirname "$0")/pg.sh"

ok "a throwaway PostgreSQL cluster runs on 127.0.0.1:$PORT"

COMMUNE="Xã Bản Giang"
T0=1638316800 # 2021-12-01 07:00 at the site
at() { VAXSITE_CLOCK=$((T0 + $1)) "${@:2}"; }
# a team's laptop (laptops.sh) that pulls the commune
team() {
  laptop "$1" "$2"
  V "$1" setting set sync.communes "$COMMUNE" >/dev/null 2>&1
}
team A TEAM-A
team B TEAM-B
team C TEAM-C
P1=012090001111 P2=012191002222 P3=012085003333 P4=012180004444
at 0 V A person add --name "Lò Văn Pá" --id $P1 --dob 01/02/1990 --sex m --commune "$COMMUNE" >/dev/null
at 0 V A person add --name "Lò Thị Ón" --id $P2 --dob 03/04/1991 --sex f --commune "$COMMUNE" >/dev/null
at 0 V A person add --name "Tòng Văn Ín" --id $P3 --dob 05/06/1985 --sex m --commune "$COMMUNE" >/dev/null
at 0 V A person add --name "Vì Thị Én" --id $P4 --dob 07/08/1980 --sex f --commune "$COMMUNE" >/dev/null
"$PSQL" "$BASE/postgres" -qc "CREATE DATABASE d0" >/dev/null
V A sync init-server "$BASE/d0" >/dev/null
at 10 V A sync push "$BASE/d0" >/dev/null
for l in B C; do at 20 V $l sync pull "$BASE/d0" --communes "$COMMUNE" >/dev/null; done
equal "B and C hold the four people A registered" "4|4" \
  "$(lsql B "SELECT count(*) FROM person")|$(lsql C "SELECT count(*) FROM person")"

# --- offline edits ---------------------------------------------------------------------------
edit() { local when=$1 l=$2 id=$3; shift 3; at "$when" V "$l" person edit "$id" --reason "typed again" "$@" >/dev/null; }
edit 100 A $P1 --phone 0911000001               # P1's phone at A ...
edit 200 B $P1 --name "Lò Văn Pả"               # ... its name at B: both survive
edit 300 C $P1 --phone 0933000001               # P1's phone at C too, later: a conflict, C's shows
edit 100 A $P3 --dob 05/07/1985                 # P3: a field each at A and B
edit 100 B $P3 --phone 0922000003
VAXSITE_CLOCK=1893456000 V C person edit $P2 --reason "typed again" --name "Lò Thị On" >/dev/null
edit 400 B $P2 --name "Lò Thị Ón Bình"          # P2's name at B, not having seen C's 2030 edit
for l in A B C; do
  check "$l's edits are in its outbox" test "$(lsql $l "SELECT count(*) FROM sync_outbox WHERE kind = 'person_edit'")" -ge 2
  lsql $l "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  cp "$WORK/$l.db" "$WORK/$l.orig"
done

registry_server() {
  q "$1" "SELECT string_agg(national_id || '|' || full_name || '|' || birth_date || '|' || phone,
          ';' ORDER BY national_id) FROM person WHERE commune = '$COMMUNE' AND merged_into IS NULL"
}
registry_laptop() {
  lsql "$1" "SELECT group_concat(x, ';') FROM (SELECT national_id || '|' || full_name || '|' ||
             birth_date || '|' || phone AS x FROM person WHERE commune = '$COMMUNE'
             AND merged_into IS NULL ORDER BY national_id)"
}
conflicts_server() {
  q "$1" "SELECT string_agg(field || ' ' || a_value::text || ' ' || b_value::text, ';'
          ORDER BY field, a_value::text) FROM conflict WHERE kind = 'concurrent_edit'"
}

# --- every push order, each into a district made from the same start ---------------------------
EXPECT="$P3|Tòng Văn Ín|1985-07-05|0922000003;$P1|Lò Văn Pả|1990-02-01|0933000001;$P4|Vì Thị Én|1980-08-07|;$P2|Lò Thị On|1991-04-03|"
first_registry="" first_conflicts=""
k=0
for order in "A B C" "A C B" "B A C" "B C A" "C A B" "C B A"; do
  k=$((k + 1))
  "$PSQL" "$BASE/postgres" -qc "CREATE DATABASE o$k TEMPLATE d0" >/dev/null
  U="$BASE/o$k"
  for l in A B C; do cp "$WORK/$l.orig" "$WORK/$l.db"; rm -f "$WORK/$l.db-wal" "$WORK/$l.db-shm"; done
  for l in $order; do at 500 V $l sync push "$U" >/dev/null; done
  for l in A B C; do at 600 V $l sync pull "$U" >/dev/null; done
  reg=$(registry_server "$U")
  equal "push order $order: the district's record of each person" "$EXPECT" "$reg"
  for l in A B C; do
    equal "push order $order: $l's registry equals the district's" "$reg" "$(registry_laptop $l)"
  done
  con=$(conflicts_server "$U")
  if [ $k -eq 1 ]; then
    first_conflicts=$con
    equal "push order $order: P1's phone and P2's name are conflicts, both values kept" \
      "full_name {\"full_name\": \"Lò Thị Ón Bình\"} {\"full_name\": \"Lò Thị On\"};phone {\"phone\": \"0911000001\"} {\"phone\": \"0933000001\"}" \
      "$con"
  else
    equal "push order $order: the same conflicts with the same values" "$first_conflicts" "$con"
  fi
done
out=$(V A sync conflicts "$U" 2>&1)
equal "sync conflicts lists the district's two, naming the fields" "1|1" \
  "$(grep -c 'phone edited on two devices' <<<"$out")|$(grep -c 'full_name edited on two devices' <<<"$out")"

# --- a laptop that saw the 2030 edit edits after it: its edit shows everywhere ----------------------
edit 700 A $P2 --name "Lò Thị Ón"
at 710 V A sync push "$U" >/dev/null
for l in B C; do at 720 V $l sync pull "$U" >/dev/null; done
at 720 V A sync pull "$U" >/dev/null
equal "an edit made after the 2030 one was seen shows at the district" "Lò Thị Ón" \
  "$(q "$U" "SELECT full_name FROM person WHERE national_id = '$P2'")"
for l in A B C; do
  equal "... and at $l" "Lò Thị Ón" "$(lsql $l "SELECT full_name FROM person WHERE national_id = '$P2'")"
done
equal "... and it is no new conflict" "$first_conflicts" "$(conflicts_server "$U")"

# --- the edit after a pull keeps working (its outbox uuid is its stamp's) ------------------------
edit 800 B $P4 --phone 0944000004
edit 801 B $P4 --phone 0944000005
at 810 V B sync push "$U" >/dev/null
equal "two edits of a pulled person at B reach the district" "0944000005" \
  "$(q "$U" "SELECT phone FROM person WHERE national_id = '$P4'")"

# --- an old CMND and a CCCD of one person, in either push order --------------------------------
# A registers Giàng A Dế by his old CMND and links his chip card's CCCD; B registers him by the
# CCCD. The district and every laptop end with one record (A's), both numbers finding it.
CMND=012345678 CCCD=012092005555
lsql A "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null; lsql B "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$WORK/A.db" "$WORK/A.base"; cp "$WORK/B.db" "$WORK/B.base"
at 900 V A person add --name "Giàng A Dế" --id $CMND --dob 02/02/1992 --sex m --commune "$COMMUNE" >/dev/null
at 910 V A person link $CMND $CCCD --reason "chip ID card" >/dev/null
at 905 V B person add --name "GIÀNG A DẾ" --id $CCCD --dob 02/02/1992 --sex m --commune "$COMMUNE" >/dev/null
for l in A B; do lsql $l "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null; cp "$WORK/$l.db" "$WORK/$l.link"; done
A_UUID=$(lsql A "SELECT uuid FROM person WHERE national_id = '$CMND'")
k=0
for order in "A B" "B A"; do
  k=$((k + 1))
  "$PSQL" "$BASE/postgres" -qc "CREATE DATABASE l$k TEMPLATE o1" >/dev/null
  U="$BASE/l$k"
  for l in A B; do cp "$WORK/$l.link" "$WORK/$l.db"; rm -f "$WORK/$l.db-wal" "$WORK/$l.db-shm"; done
  for l in $order; do at 950 V $l sync push "$U" >/dev/null; done
  for l in A B; do at 960 V $l sync pull "$U" >/dev/null; done
  equal "push order $order: the district holds him once, A's record, both numbers finding it" \
    "1|$A_UUID|$A_UUID" \
    "$(q "$U" "SELECT (SELECT count(*) FROM person WHERE merged_into IS NULL AND full_name ILIKE 'giàng a dế')
       || '|' || (SELECT coalesce(merged_into, uuid) FROM person WHERE national_id = '$CMND')
       || '|' || coalesce((SELECT coalesce(p.merged_into, p.uuid) FROM person p WHERE p.national_id = '$CCCD'),
                          (SELECT vs_person(uuid) FROM person_alias WHERE body->>'national_id' = '$CCCD'))")"
  for l in A B; do
    equal "push order $order: at $l one record, both numbers finding it" "1|$A_UUID|$A_UUID" \
      "$(lsql $l "SELECT (SELECT count(*) FROM person WHERE merged_into IS NULL AND name_folded = 'giang a de')
         || '|' || (SELECT coalesce(q.merged_into, q.uuid) FROM person q WHERE q.national_id = '$CMND')
         || '|' || coalesce((SELECT m.uuid FROM person q JOIN person m ON m.id = coalesce(q.merged_into, q.id)
                             WHERE q.national_id = '$CCCD'),
                            (SELECT p.uuid FROM person_id i JOIN person p ON p.id = i.person_id WHERE i.value = '$CCCD'))")"
  done
done

# --- the merge rules' table (tests/data/merge-rules.tsv, as test_sync.c reads it) through the
# district, both push orders --------------------------------------------------------------------
RULES="$(dirname "$0")/../data/merge-rules.tsv"
team RA TEAM-A
team RB TEAM-B
RID=001175000001
at 0 V RA person add --name "Lo Thi Mai" --id $RID --dob 20/01/1975 --sex f --commune "$COMMUNE" >/dev/null
"$PSQL" "$BASE/postgres" -qc "CREATE DATABASE r0" >/dev/null
V RA sync init-server "$BASE/r0" >/dev/null
at 1 V RA sync push "$BASE/r0" >/dev/null
at 2 V RB sync pull "$BASE/r0" --communes "$COMMUNE" >/dev/null
for l in RA RB; do lsql $l "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null; cp "$WORK/$l.db" "$WORK/$l.base"; done
# rule_edits LAPTOP "field=value@at;...": the edits through the command line, at their clocks
rule_edits() {
  local l=$1 e f v t opt
  local IFS=';'
  for e in $2; do
    f=${e%%=*}; v=${e#*=}; t=${v##*@}; v=${v%@*}
    case $f in full_name) opt=--name ;; birth_date) opt=--dob ;; *) opt=--$f ;; esac
    [ "$t" -lt 1000000000 ] && t=$((T0 + t))
    IFS=' ' VAXSITE_CLOCK=$t V $l person edit $RID --reason "typed again" $opt "$v" >/dev/null
  done
}
rule_record() {
  lsql $1 "SELECT full_name || '|' || phone || '|' || birth_date || '|' || commune FROM person
           WHERE national_id = '$RID'"
}
k=0 rows=0
while IFS= read -r line; do
  case $line in '#'* | '') continue ;; esac
  # tabs to a character read does not take as white space: an empty column stays a column
  IFS=$'\x1f' read -r what ea eb saw name phone birth commune conflict <<<"${line//$'\t'/$'\x1f'}"
  rows=$((rows + 1))
  for order in "RA RB" "RB RA"; do
    k=$((k + 1))
    "$PSQL" "$BASE/postgres" -qc "CREATE DATABASE r$k TEMPLATE r0" >/dev/null
    U="$BASE/r$k"
    for l in RA RB; do cp "$WORK/$l.base" "$WORK/$l.db"; rm -f "$WORK/$l.db-wal" "$WORK/$l.db-shm"; done
    rule_edits RA "$ea"
    if [ "$saw" = 1 ]; then at 100 V RA sync push "$U" >/dev/null; at 100 V RB sync pull "$U" >/dev/null; fi
    rule_edits RB "$eb"
    for l in $order; do at 200 V $l sync push "$U" >/dev/null; done
    for l in RA RB; do at 300 V $l sync pull "$U" >/dev/null; done
    want="$name|$phone|$birth|$commune"
    equal "$what ($order pushed first): the district's record" "$want" \
      "$(q "$U" "SELECT full_name || '|' || phone || '|' || birth_date || '|' || commune FROM person WHERE national_id = '$RID'")"
    equal "$what ($order pushed first): both laptops hold it" "$want|$want" "$(rule_record RA)|$(rule_record RB)"
    [ "$conflict" = "-" ] && conflict=""
    equal "$what ($order pushed first): the conflict's fields" "$conflict" \
      "$(q "$U" "SELECT coalesce(string_agg(field, ';'), '') FROM conflict WHERE kind = 'concurrent_edit'")"
    if [ -n "$conflict" ]; then
      va=$(grep -o "$conflict=[^@]*" <<<"$ea" | head -1); vb=$(grep -o "$conflict=[^@]*" <<<"$eb" | head -1)
      both=$(q "$U" "SELECT (a_value->>'$conflict') || '|' || (b_value->>'$conflict') FROM conflict WHERE kind = 'concurrent_edit'")
      check "$what ($order pushed first): both values kept ($both)" \
        bash -c "[[ '|$both|' == *'|${va#*=}|'* && '|$both|' == *'|${vb#*=}|'* ]]"
    fi
  done
done <"$RULES"
check "the table has its rows ($rows)" test "$rows" -ge 8

# --- one person registered on two laptops; a dose voided at the laptop that did not give it -----
team DA TEAM-A
team DB TEAM-B
DID=001190007777
at 1000 V DA person add --name "Sùng Thị Dua" --id $DID --dob 07/07/1990 --sex f --commune "$COMMUNE" >/dev/null
at 1000 V DB person add --name "Sùng Thị Dua" --id $DID --dob 07/07/1990 --sex f --commune "$COMMUNE" \
  --phone 0966000002 >/dev/null
at 1001 V DA queue checkin $DID >/dev/null
lsql DA "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, given_at, lot_no, series,
           arm, station, created_at, updated_at)
         SELECT lower(hex(randomblob(16))), p.id, v.id, 'AZ', 1, $T0 + 1002, 'NJ0342', 'covid-19',
           'left', 'injection-1', $T0 + 1002, $T0 + 1002
         FROM person p JOIN visit v ON v.person_id = p.id WHERE p.national_id = '$DID'"
DOSE=$(lsql DA "SELECT uuid FROM dose")
"$PSQL" "$BASE/postgres" -qc "CREATE DATABASE dd" >/dev/null
UD="$BASE/dd"
V DA sync init-server "$UD" >/dev/null
at 1010 V DA sync push "$UD" >/dev/null
at 1011 V DB sync push "$UD" >/dev/null
at 1012 V DB sync pull "$UD" >/dev/null
at 1013 V DA sync pull "$UD" >/dev/null
equal "the district keeps one record (A's), B's registration an alias of it" "1|1" \
  "$(q "$UD" "SELECT (SELECT count(*) FROM person WHERE national_id = '$DID') || '|' ||
              (SELECT count(*) FROM person_alias)")"
equal "B holds the district's record of her, A's registration (no phone), after its pull" "|" \
  "$(lsql DB "SELECT phone FROM person WHERE national_id = '$DID'")|$(q "$UD" "SELECT phone FROM person WHERE national_id = '$DID'")"
edit 1020 DA $DID --phone 0977000001
at 1021 V DA sync push "$UD" >/dev/null
at 1022 V DB sync pull "$UD" >/dev/null
equal "an edit made at A reaches B's own record of her (B registered her too)" "0977000001" \
  "$(lsql DB "SELECT phone FROM person WHERE national_id = '$DID'")"
# both laptops void A's dose (given to the wrong person), neither having seen the other's void
at 1030 V DA dose void "$(lsql DA "SELECT id FROM dose WHERE uuid = '$DOSE'")" --reason "wrong person" >/dev/null
at 1031 V DB dose void "$(lsql DB "SELECT id FROM dose WHERE uuid = '$DOSE'")" --reason "wrong person, typed at B" >/dev/null
check "B held A's dose and voided it" test "$(lsql DB "SELECT voided FROM dose WHERE uuid = '$DOSE'")" = 1
for l in DB DA; do at 1040 V $l sync push "$UD" >/dev/null; done
equal "two voids of one dose are two events, nothing quarantined, the dose voided once" "2|0|1" \
  "$(q "$UD" "SELECT (SELECT count(*) FROM sync_event WHERE kind = 'dose_void') || '|' ||
              (SELECT count(*) FROM quarantine) || '|' || (SELECT voided FROM dose WHERE uuid = '$DOSE')")"
# a void of A's dose made only at B reaches A with the pull
lsql DA "UPDATE dose SET voided = 0, void_reason = '' WHERE uuid = '$DOSE'" 2>/dev/null
lsql DA "UPDATE setting SET value = '0' WHERE key = 'sync.pulled_seq'"
at 1050 V DA sync pull "$UD" >/dev/null
equal "a void made at B of the dose A gave reaches A with the pull" "1" \
  "$(lsql DA "SELECT voided FROM dose WHERE uuid = '$DOSE'")"

finish
