#!/bin/bash
# Clinical text is shown whole, in Vietnamese and in English, at 80x24 and at 200x50: every step
# of the anaphylaxis protocol (read from assets/aefi.conf, so the test follows the protocol when
# its text is rewritten) and, in the injection room, the caution reasons from screening and the
# longer observation. A dialog taller than the screen scrolls; each screen is captured while
# scrolling and the rows are joined again, so a line wrapped over several rows still counts as
# whole, and a line cut at the edge of the box or split inside a word does not.
. "$(dirname "$0")/lib.sh"

HERE=$(dirname "$0")
ASSETS="$HERE/../../assets"
TOOL="$HERE/tools/screen_text.py"
CAPTURES="$WORK/captures"
DATA="$WORK/data"

demo_db 200

# protocol_lines LANG: the protocol's steps as the data file holds them.
protocol_lines() {
  sed -n '/^\[protocol\]/,/^\[/p' "$ASSETS/aefi.conf" | sed -n "s/^$1\.[0-9][0-9]* *= *//p"
}

# anaphylaxis_sign: how many signs come before the first that alone suggests anaphylaxis (a
# circulation sign, Circular 51 Annex I picture 3), in list order.
anaphylaxis_sign() {
  awk '/^\[/ { if ($0 != "[protocol]") n++ } /^system *= *circulation/ { print n - 1; exit }' \
    "$ASSETS/aefi.conf"
}

# checklist_item LANG PATTERN: the text of the item whose English text holds PATTERN, in the
# newest adult screening checklist.
checklist_item() {
  local file
  file=$(grep -l "clotting" "$ASSETS"/screening/*.conf | sort | tail -1)
  awk -v lang="$1" -v pat="$2" '
    /^\[/ { if (found) exit; text = "" }
    $0 ~ "^" lang " *= *" { text = $0; sub("^" lang " *= *", "", text) }
    /^en *= */ && index($0, pat) { found = 1 }
    END { if (found) print text }' "$file"
}

# wait_change SHOT: waits until the screen differs from SHOT; 0 if it did.
wait_change() {
  local i=0
  while [ $i -lt 160 ]; do
    [ "$(screen)" != "$1" ] && return 0
    sleep 0.05
    i=$((i + 1))
  done
  return 1
}

# collect_scrolled: captures the screen, then while the dialog says there is more below (▼),
# scrolls one line down and captures again. Every window of the text is then in $CAPTURES.
collect_scrolled() {
  local shot i=0
  : >"$CAPTURES"
  shot=$(screen)
  while :; do
    printf '%s\n\f' "$shot" >>"$CAPTURES"
    grep -qF "▼" <<<"$shot" || break
    i=$((i + 1))
    [ $i -le 100 ] || break
    # under the sanitizers a redraw can take seconds: a key that changed nothing yet is given
    # two more chances before the text is taken as ended
    keys Down
    wait_change "$shot" || { keys Down && wait_change "$shot"; } ||
      { keys Down && wait_change "$shot"; } || break
    # the change seen may be a redraw still under way (its last rows, the ▼ among them, not yet
    # written): the shot is taken once the screen has stopped changing
    settle
    shot=$(screen)
  done
}

# whole DESCRIPTION [TITLE]: every line of $DATA is whole in one of the captures.
whole() {
  local lost
  lost=$(python3 "$TOOL" missing "$CAPTURES" "$DATA" ${2:+"$2"} 2>&1)
  if [ -z "$lost" ]; then ok "$1"; else not_ok "$1" "not whole on screen:" "$lost" "$(screen)"; fi
}

unwrapped() {
  local lost
  lost=$(python3 "$TOOL" unwrapped "$CAPTURES" "$DATA" 2>&1)
  if [ -z "$lost" ]; then ok "$1"; else not_ok "$1" "not on one row:" "$lost" "$(screen)"; fi
}

skip_signs=$(anaphylaxis_sign)
check "the data file has a sign that suggests anaphylaxis" [ -n "$skip_signs" ]

for lang in en vi; do
  if [ $lang = en ]; then
    observation="Observation" under="Under observation" signs="Signs seen"
    title="SUSPECTED ANAPHYLAXIS" action="Action taken" injection="Injection room"
    vials_at="Open vials at"
    observe_longer="Observe for 60 minutes"
    note="Allergic to penicillin: widespread hives after an antibiotic injection in 2019; keep the anaphylaxis kit open at the bedside."
  else
    observation="Theo dõi sau tiêm" under="Đang theo dõi" signs="Dấu hiệu ghi nhận"
    title=$(grep -A1 '^msgid "SUSPECTED ANAPHYLAXIS"' "$ASSETS/po/vi.po" | sed -n 's/^msgstr "\(.*\)"/\1/p')
    action="Xử trí" injection="Phòng tiêm"
    vials_at="Lọ đang mở tại"
    observe_longer="Theo dõi 60 phút"
    note="Dị ứng penicillin: nổi mày đay toàn thân sau tiêm kháng sinh năm 2019; để sẵn hộp chống sốc cạnh giường."
  fi
  protocol_lines $lang >"$DATA"
  check "$lang: the protocol has steps in the data file" [ -s "$DATA" ]

  # --- the anaphylaxis protocol, at the smallest and at a wide screen -------------------------
  for size in "80 24" "200 50"; do
    set -- $size
    at="$lang ${1}x$2"
    # a fresh site each time: the reaction the protocol comes with is recorded at once
    rm -f "$DB" "$DB-wal" "$DB-shm"
    demo_db 200
    tui "$1" "$2" --lang $lang
    sign_in dieuduong "$observation"
    expect_screen "$at: the observation station opens" "$under"
    keys F7
    expect_screen "$at: F7 asks which signs were seen" "$signs"
    for _ in $(seq 1 "$skip_signs"); do keys Down; done
    keys Space Enter
    expect_screen "$at: a sign of anaphylaxis shows the protocol" "$title"
    collect_scrolled
    whole "$at: every step of the protocol is on screen whole" "$title"
    if [ "$1" -ge 200 ]; then
      unwrapped "$at: a wide screen shows each step on one row, unwrapped"
    fi
    box=$(screen)
    check "$at: the key line says Enter or Esc closes" grep -qE "Enter.*Esc" <<<"$box"
    type_text x
    keys Space F5
    expect_no_screen "$at: a stray key does not close the protocol" "$action"
    check "$at: the protocol is still there" grep -qF "$title" <<<"$(screen)"
    keys Enter
    expect_screen "$at: Enter closes it and asks what was done" "$action"
    keys Escape
    keys F10
    expect_screen "$at: F10 quits" "[vaxsite exited]"
  done

  # --- the injection room: caution reasons and the longer observation -------------------------
  reason="$(checklist_item $lang "clotting disorder")."
  allergy="$(checklist_item $lang "llerg")."
  check "$lang: the checklist has the items the test uses" [ "$reason" != "." ] && [ "$allergy" != "." ]
  sql "UPDATE screening SET proposed_outcome = 'caution', final_outcome = 'caution',
         reasons = 'caution: $reason' || char(10) || 'caution: $allergy',
         notes = '$note', observation_minutes = 60
       WHERE visit_id IN (SELECT id FROM visit WHERE state = 'waiting_injection')"
  printf '%s\n' "$reason" "$allergy" "$note" >"$DATA"
  for size in "80 24" "200 50"; do
    set -- $size
    at="$lang ${1}x$2"
    tui "$1" "$2" --lang $lang
    sign_in dieuduong "$injection"
    # the room's title is its desk's name, which the site chose (the demo's are in the language
    # it was made in): the room is known by its vial panel, in the language of the screen
    expect_screen "$at: the injection room opens" "$vials_at"
    keys Enter
    expect_screen "$at: Enter calls a person screened with caution" "$observe_longer"
    collect_scrolled
    whole "$at: the caution reasons and the notes are on screen whole"
    keys F4
    type_text Y
    keys F10
    expect_screen "$at: F10 quits" "[vaxsite exited]"
  done
done

finish
