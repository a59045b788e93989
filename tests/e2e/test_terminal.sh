#!/bin/bash
# The terminal itself: too small, resized at any time, no colour, Vietnamese, idle CPU.
. "$(dirname "$0")/lib.sh"

demo_db 100

tui 40 10 --lang en
expect_screen "a 40x10 terminal says it is too small" "terminal too small (needs 80x24)"
resize 20 5
expect_screen "so does a 20x5 terminal, without crashing" "terminal too"
resize 80 24
expect_screen "growing to 80x24 brings the sign-in back" "Demo site: every PIN is 1234."
sign_in quanly "Check-in desk"
expect_screen "the manager reaches the check-in desk" "Search:"
type_text "nguyen"
expect_screen "results appear while typing" "found"
for size in "200 50" "79 24" "80 23" "100 30" "80 24"; do
  resize $size
done
expect_screen "after a resize storm the desk is drawn again at 80x24" "Search:"

# idle CPU: the TUI must sleep while nobody types
pid=$($TM list-panes -t main -F '#{pane_pid}')
vpid=$(pgrep -P "$pid" -f vaxsite | head -1)
t0=$(awk '{print $14 + $15}' /proc/$vpid/stat)
sleep 3
t1=$(awk '{print $14 + $15}' /proc/$vpid/stat)
check "idle for 3 s it uses under 3% of a core ($((t1 - t0)) ticks)" [ $((t1 - t0)) -lt 9 ]
keys F10
expect_screen "quit" "[vaxsite exited]"

# --- NO_COLOR: meaning survives without colour ---------------------------------------------
$TM kill-session -t main
$TM new-session -d -s main -x 80 -y 24 \
  "$HOLD_HUP env NO_COLOR=1 TERM=screen-256color $VAXSITE --db '$DB' --lang en; exec sleep 30"
sign_in quanly "Check-in desk"
expect_screen "with NO_COLOR the desk opens" "Search:"
keys Enter
expect_screen "errors carry a symbol, not only a colour" "✗ Find the person first"
keys F10

# --- Vietnamese ------------------------------------------------------------------------------
tui 80 24 --lang vi
expect_screen "--lang vi shows the sign-in in Vietnamese" "Đăng nhập"
$TM kill-session -t main
$TM new-session -d -s main -x 80 -y 24 \
  "$HOLD_HUP env LANG=vi_VN.UTF-8 LC_ALL= TERM=screen-256color $VAXSITE --db '$DB'; exec sleep 30"
expect_screen "a vi_VN locale chooses Vietnamese" "Đăng nhập"
tui 80 24 --lang en
expect_screen "--lang en shows English" "Sign in"

# --- non-UTF-8 bytes typed into the search never break the screen ---------------------------
sign_in quanly "Check-in desk"
wait_for "Search:"
$TM send-keys -t main -H c3 28 ff fe
type_text "abc"
expect_screen "after invalid UTF-8 input the desk still answers" "Search:"
keys F10
expect_screen "and quits cleanly" "[vaxsite exited]"

finish
