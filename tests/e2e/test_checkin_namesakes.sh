#!/bin/bash
# The check-in desk narrows namesakes by a birth year or date typed after the name: among four
# women called Nguyễn Thị Hương, "huong 1954" lists the one born in 1954 alone, and Enter checks
# in that one (the database's visit row is hers, nobody else's). One was registered with her name
# typed in NFD (as some phones and imported lists send it), one with the old tone placement
# ("Hoà"), which "hòa" as typed today still finds.
. "$(dirname "$0")/lib.sh"

demo_db 50
V() { $VAXSITE --db "$DB" --lang en "$@" >/dev/null; }
# "Nguyễn Thị Hương" in NFD: base letters followed by their combining marks
nfd=$(printf 'Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Hu\xcc\x9bo\xcc\x9bng')
V person add --name "Nguyễn Thị Hương" --id 001160000001 --dob 14/12/1960 --sex f
V person add --name "$nfd" --id 001154000002 --dob 14/12/1954 --sex f
V person add --name "Nguyễn Thị Hương" --id 001175000003 --dob 02/05/1975 --sex f
V person add --name "Nguyễn Thị Hoà Hương" --id 001189000004 --dob 09/09/1989 --sex f
equal "four namesakes registered, the NFD name stored as one with the others" "4|3" \
  "$(sql "SELECT count(*), sum(full_name = 'Nguyễn Thị Hương') FROM person
          WHERE national_id IN ('001160000001', '001154000002', '001175000003', '001189000004')")"
hers() { sql "SELECT id FROM person WHERE national_id = '$1'"; }

tui 80 24 --lang en
sign_in dieuduong "Check-in desk"
expect_screen "the check-in desk opens" "Search:"

# every Hương of the registry (the demo has some of its own), the four namesakes among them
huongs=$(sql "SELECT count(*) FROM person WHERE ' ' || name_folded || ' ' LIKE '% huong %'")
type_text "huong"
expect_screen "'huong' alone lists every Hương" "$huongs found"
shot=$(screen)
check "the four namesakes among them" \
  bash -c '[ "$(grep -cE "0011(60|54|75|89)00000[1-4]  Nguyễn Thị (Hoà )?Hương" <<<"$1")" = 4 ]' _ "$shot"
keys Escape
wait_for "type a name, ID or phone"
type_text "huong 1954"
expect_screen "'huong 1954' narrows them to one" "1 found"
expect_screen "the one listed is born on 14/12/1954" "001154000002  Nguyễn Thị Hương"
expect_screen "and is the one selected: the details are hers" "ID 001154000002 · born 14/12/1954"
shot=$(screen)
check "no other namesake is on the screen" \
  bash -c '! grep -qE "00116000000|001175000003|001189000004" <<<"$1"' _ "$shot"
keys Enter
expect_screen "Enter checks her in" "Checked in"
wait_sql "SELECT count(*) FROM visit WHERE person_id = $(hers 001154000002)" 1
equal "the visit of today is hers, waiting for screening" "1|waiting_screening" \
  "$(sql "SELECT count(*), max(state) FROM visit WHERE person_id = $(hers 001154000002)")"
equal "and none of the other namesakes was checked in" "0" \
  "$(sql "SELECT count(*) FROM visit v JOIN person p ON p.id = v.person_id
          WHERE p.national_id IN ('001160000001', '001175000003', '001189000004')")"
ticket=$(sql "SELECT printf('%03d', ticket) FROM visit WHERE person_id = $(hers 001154000002)")
expect_screen "the dialog shows her ticket" "Ticket $ticket"
keys Space
expect_no_screen "any key closes the ticket dialog" "Press any key"

# stored with the old tone placement ("Hoà"), typed with the new one ("hòa")
type_text "hòa hương 1989"
expect_screen "'hòa hương 1989' finds Nguyễn Thị Hoà Hương" "001189000004  Nguyễn Thị Hoà Hương"
expect_screen "alone" "1 found"
keys Enter
expect_screen "Enter checks her in" "Checked in"
wait_sql "SELECT count(*) FROM visit WHERE person_id = $(hers 001189000004)" 1
equal "her visit row is there, and still none for the two others" "1|0" \
  "$(sql "SELECT (SELECT count(*) FROM visit WHERE person_id = $(hers 001189000004)),
                 (SELECT count(*) FROM visit v JOIN person p ON p.id = v.person_id
                  WHERE p.national_id IN ('001160000001', '001175000003'))")"
keys Space
expect_no_screen "the dialog closes" "Press any key"
keys F10
expect_screen "F10 quits" "[vaxsite exited]"
finish
