#!/bin/bash
# What a laptop records besides the facts reaches the other teams through the district (laptop
# schema 33, server schema 10): laptop A gives an additional dose in the round in progress and
# records a child's guardian, and pushes; laptop B pulls the commune and holds the dose with its
# mark and round, and the guardian, which B's desk shows. B changes the guardian's phone and
# pushes; A pulls and holds the change; A's older guardian arriving again changes nothing. A dose that left without its marks (before schema 33) gets them
# at B from the dose_marks event that follows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/laptops.sh"
PG_PORT_SALT=5521
. "$(dirname "$0")/pg.sh"

"$PSQL" "$BASE/postgres" -qc "CREATE DATABASE d1" >/dev/null
U="$BASE/d1"
ok "a throwaway PostgreSQL cluster runs on 127.0.0.1:$PORT"

COMMUNE="Xã Bản Giang"
KID=012214004444
ADULT=012191005555

# --- laptop A ------------------------------------------------------------------------------------
laptop A TEAM-A
V A setting set campaign.round "Đợt 5" >/dev/null
V A person add --name "Lò Văn Bé" --id $KID --dob 03/04/2014 --sex m --commune "$COMMUNE" \
  --guardian "Lò Văn Cha" --guardian-phone 0912345678 >/dev/null
V A person add --name "Lò Thị Ón" --id $ADULT --dob 03/04/1991 --sex f --commune "$COMMUNE" >/dev/null
V A queue checkin $ADULT >/dev/null
NOW=$(date +%s)
# AZ, AZ months ago, then today the additional dose a doctor decided on, at today's visit
lsql A "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, additional, given_at,
          lot_no, series, created_at, updated_at)
        SELECT 'dose-' || n, p.id, CASE WHEN n = 3 THEN v.id END, CASE WHEN n = 3 THEN 'PF' ELSE 'AZ' END,
          n, n = 3, $NOW - (3 - n) * 90 * 86400, 'L' || n, 'covid-19', $NOW, $NOW
        FROM person p JOIN visit v ON v.person_id = p.id,
          (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3)
        WHERE p.national_id = '$ADULT'"
equal "A's additional dose takes the round in progress; its event carries both" "1|Đợt 5|1|Đợt 5" \
  "$(lsql A "SELECT d.additional || '|' || d.round || '|' || json_extract(o.body, '$.additional')
             || '|' || json_extract(o.body, '$.round') FROM dose d JOIN sync_outbox o
             ON o.uuid = d.uuid WHERE d.dose_number = 3")"
equal "A's guardian leaves as a stamped event" "1" \
  "$(lsql A "SELECT count(*) FROM sync_outbox WHERE kind = 'guardian'
             AND json_extract(body, '\$.phone') = '0912345678' AND json_extract(body, '\$.hlc') <> ''")"

# --- the district --------------------------------------------------------------------------------
V A sync init-server "$U" >/dev/null
V A sync push "$U" >/dev/null
equal "the district holds the dose's mark and round, and the guardian" \
  "1|Đợt 5|Lò Văn Cha|0912345678" \
  "$(q "$U" "SELECT (SELECT additional || '|' || round FROM dose WHERE dose_number = 3)
             || '|' || (SELECT name || '|' || phone FROM guardian)")"

# --- laptop B pulls the commune --------------------------------------------------------------------
laptop B TEAM-B
V B sync pull "$U" --communes "$COMMUNE" >/dev/null
equal "B holds the additional dose with its round" "0:|0:|1:Đợt 5" \
  "$(lsql B "SELECT group_concat(additional || ':' || round, '|') FROM (SELECT d.* FROM dose d
             JOIN person p ON p.id = d.person_id WHERE p.national_id = '$ADULT'
             ORDER BY d.dose_number)")"
equal "B holds the child's guardian" "Lò Văn Cha|0912345678" \
  "$(lsql B "SELECT g.name || '|' || g.phone FROM person_guardian g JOIN person p
             ON p.id = g.person_id WHERE p.national_id = '$KID'")"
out=$(V B person guardian $KID 2>&1)
check "B's desk shows the guardian A recorded ($out)" grep -q "0912345678" <<<"$out"

# --- B changes the phone; A pulls it ----------------------------------------------------------------
sleep 1
V B person guardian $KID --name "Lò Văn Cha" --phone 0987654321 >/dev/null
V B sync push "$U" >/dev/null
equal "the district keeps B's later guardian" "0987654321" "$(q "$U" "SELECT phone FROM guardian")"
V A sync pull "$U" --communes "$COMMUNE" >/dev/null
equal "A holds B's change" "0987654321" "$(lsql A "SELECT phone FROM person_guardian")"
# A's first event pushed again (a laptop restored from a copy) changes nothing anywhere
lsql A "UPDATE setting SET value = '0' WHERE key = 'sync.pushed_seq'"
V A sync push "$U" >/dev/null
V B sync pull "$U" --communes "$COMMUNE" >/dev/null
equal "the older guardian arriving again changes nothing" "0987654321|0987654321" \
  "$(q "$U" "SELECT phone FROM guardian")|$(lsql B "SELECT g.phone FROM person_guardian g
     JOIN person p ON p.id = g.person_id WHERE p.national_id = '$KID'")"

# --- a dose that left without its marks gets them from a dose_marks event ---------------------------
lsql A "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, given_at, lot_no, series,
          created_at, updated_at)
        SELECT 'dose-old', id, NULL, 'AZ', 1, $NOW - 86400, 'L9', 'covid-19', $NOW, $NOW
        FROM person WHERE national_id = '$KID'"
V A sync push "$U" >/dev/null
V B sync pull "$U" --communes "$COMMUNE" >/dev/null
equal "B holds the dose, without a round" "|" \
  "$(lsql B "SELECT round || '|' FROM dose WHERE uuid = 'dose-old'")"
# what the upgrade to schema 33 sends for a dose that left before (sync.c, sync_v33): its round,
# and for a dose given elsewhere whose event (before schema 32) did not say, where and how
lsql A "UPDATE dose SET round = 'Đợt 4', source = 'manual', place = 'Bệnh viện Bạch Mai'
          WHERE uuid = 'dose-old';
        INSERT INTO sync_outbox(uuid, kind, record_uuid, site, device, at, body)
        SELECT d.uuid || '/marks', 'dose_marks', d.uuid, 'TEAM-A',
          (SELECT value FROM setting WHERE key = 'sync.device_id'), d.given_at,
          json_object('dose_uuid', d.uuid, 'person_uuid', p.uuid, 'additional', 0, 'round', d.round,
            'source', d.source, 'place', d.place, 'uvci', '', 'verified', '')
        FROM dose d JOIN person p ON p.id = d.person_id WHERE d.uuid = 'dose-old'"
V A sync push "$U" >/dev/null
V B sync pull "$U" --communes "$COMMUNE" >/dev/null
equal "the district and B take the round, place and source from the dose_marks event" \
  "Đợt 4|manual|Bệnh viện Bạch Mai#Đợt 4|manual|Bệnh viện Bạch Mai" \
  "$(q "$U" "SELECT round || '|' || source || '|' || place FROM dose WHERE uuid = 'dose-old'")#$(lsql B "SELECT round || '|' || source || '|' || place FROM dose WHERE uuid = 'dose-old'")"

finish
