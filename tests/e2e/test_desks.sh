#!/bin/bash
# Desks by name: on the demo (two screening desks, two injection rooms) two terminals sign in to the
# screening desk, each is asked which desk and picks a different one by its name; each calls a
# person, its title and its message name its desk, and the board (a third terminal) shows the two
# calls to the two desks' names. The injection room records the room chosen (injection-N);
# VAXSITE_DESK=N still names a desk without asking. In Vietnamese and in English.
. "$(dirname "$0")/lib.sh"
unset VAXSITE_DESK

# login NAME LOGIN STATION_NUMBER: signs in at session NAME and picks the station by its number
login() {
  pane_sees "$1" "PIN" || return 1
  $TM send-keys -t "$1" -l "$2"
  $TM send-keys -t "$1" Tab
  $TM send-keys -t "$1" -l 1234
  $TM send-keys -t "$1" Enter
  pane_sees "$1" "1  " || return 1
  $TM send-keys -t "$1" -l "$3"
}

for lang in vi en; do
  rm -f "$DB" "$DB-wal" "$DB-shm"
  demo_db 60
  V() { $VAXSITE --db "$DB" --lang $lang "$@" >/dev/null; }
  V desk rename screening-1 "Bàn khám 1"
  V desk rename screening-2 "Bàn khám 2"
  V desk rename injection-2 "Phòng tiêm B"
  # the demo leaves a ticket called to desk 1: back to the waiting list, so that both desks call
  sql "UPDATE visit SET state = 'waiting_screening', station = '' WHERE state = 'screening'"
  if [ $lang = vi ]; then which="Bàn nào?"; called="đến Bàn khám"; else which="Which desk?"; called="called to Bàn khám"; fi

  pane_start board "$VAXSITE --db '$DB' --lang $lang board"
  pane_start s1 "$VAXSITE --db '$DB' --lang $lang"
  pane_start s2 "$VAXSITE --db '$DB' --lang $lang"
  login s1 bacsi 2
  check "$lang: with two screening desks the sign-in asks which desk" pane_sees s1 "$which"
  check "$lang: by the desks' names" pane_sees s1 "Bàn khám 2"
  $TM send-keys -t s1 -l 1
  check "$lang: terminal 1's title names its desk" pane_title_has s1 "Bàn khám 1"
  login s2 bacsi 2
  pane_sees s2 "$which" >/dev/null
  $TM send-keys -t s2 -l 2
  check "$lang: terminal 2's title names its desk" pane_title_has s2 "Bàn khám 2"
  $TM send-keys -t s1 Enter
  check "$lang: terminal 1 calls a person to its desk by name" pane_sees s1 "$called 1"
  $TM send-keys -t s2 Enter
  check "$lang: terminal 2 calls a person to its desk by name" pane_sees s2 "$called 2"
  equal "$lang: two tickets called, one to each desk" "screening-1|screening-2" \
    "$(sql "SELECT group_concat(station, '|') FROM (SELECT station FROM visit WHERE state = 'screening' ORDER BY station)")"
  check "$lang: the board shows the call to desk 1 by its name" pane_sees board "→ Bàn khám 1"
  check "$lang: and the call to desk 2 by its name" pane_sees board "→ Bàn khám 2"
  check "$lang: the board names the injection room too" pane_sees board "→ Phòng tiêm B"
  $TM kill-session -t s1
  $TM kill-session -t s2

  # the injection room: the room chosen is what a call records
  pane_start s3 "$VAXSITE --db '$DB' --lang $lang"
  login s3 dieuduong 3
  pane_sees s3 "$which" >/dev/null
  $TM send-keys -t s3 -l 1
  check "$lang: the injection room's title names its room" pane_title_has s3 "Injection room 1"
  $TM send-keys -t s3 Enter
  i=0
  while [ $i -lt 100 ] && [ "$(sql "SELECT count(*) FROM visit WHERE state = 'injection' AND station = 'injection-1'")" = 0 ]; do
    sleep 0.05
    i=$((i + 1))
  done
  equal "$lang: a call from room 1 records injection-1" "1" \
    "$(sql "SELECT count(*) FROM visit WHERE state = 'injection' AND station = 'injection-1'")"
  $TM kill-session -t s3

  # VAXSITE_DESK=2 names desk 2 without asking (tests, a terminal fixed to one desk)
  pane_start s4 "VAXSITE_DESK=2 $VAXSITE --db '$DB' --lang $lang"
  login s4 bacsi 2
  check "$lang: VAXSITE_DESK=2 opens desk 2 without asking" pane_sees s4 "Bàn khám 2 ·"
  $TM kill-session -t s4
  $TM kill-session -t board
done
finish
