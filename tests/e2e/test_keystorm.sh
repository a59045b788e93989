#!/bin/bash
# Hostile terminal input: random storms of keys (escape sequences whole and cut, invalid UTF-8,
# F-keys, control keys, Vietnamese text) and resize storms against every station and the board.
# After each storm the program still runs and, after Esc, shows its screen again.
# KEYSTORM_KEYS (default 60) keys per storm, KEYSTORM_SEED for a repeatable run.
. "$(dirname "$0")/lib.sh"

RANDOM=${KEYSTORM_SEED:-$$}
N=${KEYSTORM_KEYS:-60}
echo "# keystorm: seed ${KEYSTORM_SEED:-$$}, $N keys per storm"
demo_db 120

# F9 (change station), F10 and Ctrl-C (quit) are left out: they are meant to leave the screen.
# Ctrl-Z and Ctrl-\ would stop the process through the terminal driver, not the program.
NAMED=(Up Down Left Right Home End PageUp PageDown Tab BTab Enter Escape BSpace DC IC
  F1 F2 F3 F4 F5 F6 F7 F8 F11 F12 C-a C-e C-k C-l C-u C-w Space)
HEX=(
  "1b 5b 41" "1b 4f 50" "1b 5b 31 3b 35 43" "1b 5b 3c 30 3b 31 30 3b 35 4d"
  "1b 5d 30 3b 78 07" "1b 5b 3f 31 30 34 39 68" "1b" "1b 1b 1b" "1b 5b"
  "1b 5b 39 39 39 39 39 39 39 39 39 39 7e" "1b 5b 31 3b" "1b 4f" "1b 5b 4d 20 21 21"
  "ff" "fe" "c3 28" "e2 82" "f0 9f 98" "c0 80" "ed a0 80" "f4 90 80 80" "80 80 80"
  "e1 bb 87" "cc 81" "00" "7f" "09 09")
TEXT=("Nguyễn" "đ" "ĐẶNG THỊ" "001090001234" "36.6" "a" "?" "/" "0" "9" "              ")

# One tmux command for the whole storm (commands joined by ';'): the keys arrive as fast as a
# terminal can send them, and the test does not start a process per key.
storm() {
  local target=$1 i r cmd=()
  for ((i = 0; i < N; i++)); do
    r=$((RANDOM % 10))
    if [ $r -lt 4 ]; then
      cmd+=(send-keys -t "$target" "${NAMED[RANDOM % ${#NAMED[@]}]}" \;)
    elif [ $r -lt 8 ]; then
      # shellcheck disable=SC2206
      cmd+=(send-keys -t "$target" -H ${HEX[RANDOM % ${#HEX[@]}]} \;)
    else
      cmd+=(send-keys -t "$target" -l "${TEXT[RANDOM % ${#TEXT[@]}]}" \;)
    fi
  done
  # a resize storm, through sizes too small to draw, ending where it began
  for size in "20 5" "200 50" "81 25" "79 23" "132 43" "80 24"; do
    cmd+=(resize-window -t "$target" -x "${size% *}" -y "${size#* }" \;)
  done
  $TM "${cmd[@]}"
}

alive() { ! $TM capture-pane -p -t "$1" | grep -qF "[vaxsite exited]"; }

# Esc a few times (closes dialogs, clears inputs), then the screen must show TEXT.
recovers() {
  local target=$1 text=$2 i
  $TM resize-window -t "$target" -x 80 -y 24 # (the storm ended at 80x24; say it once more)
  # apart by more than the escape delay (25 ms), or Esc and the next byte are read as one key
  for i in 1 2 3 4; do
    $TM send-keys -t "$target" Escape
    sleep 0.06
  done
  $TM send-keys -t "$target" C-l # repaint, after bytes a real terminal may have drawn itself
  for ((i = 0; i < 100; i++)); do
    $TM capture-pane -p -t "$target" | grep -qF -- "$text" && return 0
    sleep 0.05
  done
  return 1
}

STATIONS=("Check-in desk" "Screening desk" "Injection room" "Observation" "Queue overview"
  "Planning" "Due list" "Vaccine stock")
for label in "${STATIONS[@]}"; do
  tui 80 24 --lang en
  if ! sign_in quanly "$label"; then
    not_ok "sign in to $label" "$(screen)"
    continue
  fi
  # the demo has two screening desks and two injection rooms: the title names the one chosen
  # (the first), by its name
  title=$label
  case "$label" in "Screening desk" | "Injection room") title="$label 1" ;; esac
  expect_screen "$label: open" " $title ·"
  for round in 1 2; do
    storm main
    settle main
    check "$label: still running after key storm $round" alive main
    if recovers main " $title ·"; then
      ok "$label: after storm $round and Esc the station shows its screen again"
    else
      not_ok "$label: after storm $round and Esc the station shows its screen again" "$(screen)"
    fi
  done
  # F10 closes an open confirmation first (Esc at the injection room asks "send back?"),
  # then quits: at most three presses; where the storm left a person called or a form
  # changed, F10 asks and only the letter it names (Q) quits
  for i in 1 2 3; do
    keys F10
    wait_for_either "[vaxsite exited]" "Quit anyway?" 2
    screen | grep -qF "[vaxsite exited]" && break
    screen | grep -qF "Quit anyway?" && type_text q && wait_for "[vaxsite exited]" 2 && break
  done
  expect_screen "$label: F10 still quits cleanly" "[vaxsite exited]"
done

# the board: the same storms, without q and F10 (they close it)
$TM kill-session -t main >/dev/null 2>&1
$TM new-session -d -s board -x 100 -y 30 \
  "$HOLD_HUP env TERM=screen-256color $VAXSITE --db '$DB' --lang en board; echo '[vaxsite exited]'; exec sleep 30"
i=0; until $TM capture-pane -p -t board | grep -qE '[A-Za-z][A-Za-z ]{5,}' || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
settle board
before=$($TM capture-pane -p -t board)
marker=$(printf '%s\n' "$before" | grep -o -m1 -E '[A-Za-z][A-Za-z ]{5,}' | head -1)
check "the board opens (shows \"$marker\")" [ -n "$marker" ]
for round in 1 2 3; do
  storm board
  settle board
  check "board: still running after key storm $round" alive board
  if recovers board "$marker"; then
    ok "board: after storm $round it shows its screen again"
  else
    not_ok "board: after storm $round it shows its screen again" "$($TM capture-pane -p -t board)"
  fi
done
$TM send-keys -t board q
check "q closes the board" bash -c "for i in \$(seq 100); do $TM capture-pane -p -t board | grep -qF '[vaxsite exited]' && exit 0; sleep 0.05; done; exit 1"
finish
