# lib.sh: drives the real vaxsite binary in a real terminal (tmux) and prints TAP.
# Each test script sources this; VAXSITE names the binary under test (set by meson).
set -u
: "${VAXSITE:?VAXSITE must name the vaxsite binary}"
export TZ=Asia/Ho_Chi_Minh
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset LANGUAGE NO_COLOR VAXSITE_CLOCK VAXSITE_CLOCK_FILE
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

WORK=$(mktemp -d /tmp/vaxsite-e2e.XXXXXX)
DB="$WORK/site.db"
SOCK="vaxsite-e2e-$$"
TM="tmux -L $SOCK -f /dev/null"
TAP_N=0
TAP_FAILED=0

# A session that lives for the whole test, so that killing the last other session never makes
# the tmux server exit while the next one is being started (a race that fails under load).
$TM new-session -d -s keep "sleep 3600"

# Each pane's shell ignores the hang-up that closing its terminal sends (vaxsite installs its own
# handler and sees the hang-up on its terminal), so that the shell outlives vaxsite. When the shell
# died first, vaxsite's process group became orphaned and the kernel sent it SIGHUP and SIGCONT; an
# ASan build that was at that moment in its leak check at exit (the sanitizer stops the program's
# threads with ptrace) lost the stop to the SIGCONT and waited for ever. After vaxsite, the shell
# becomes "sleep 30" (exec), which names no file of the test.
HOLD_HUP="trap '' HUP;"

# Closing the terminals ends every vaxsite this test started (they end on a hang-up); one still
# running 10 s later is a defect: it is killed, and named in $VAXSITE_LEFTOVERS (./test fails on it).
# (10 s leaves an ASan build's leak check at exit its time on a loaded machine.)
cleanup() {
  $TM kill-server >/dev/null 2>&1
  local i=0
  while pgrep -f -- "$WORK" >/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
  local left
  left=$(pgrep -af -- "$WORK")
  if [ -n "$left" ]; then
    [ -n "${VAXSITE_LEFTOVERS:-}" ] && printf '%s: %s\n' "$(basename "$0")" "$left" >>"$VAXSITE_LEFTOVERS"
    pkill -9 -f -- "$WORK"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

ok() {
  TAP_N=$((TAP_N + 1))
  echo "ok $TAP_N - $1"
}

not_ok() {
  TAP_N=$((TAP_N + 1))
  TAP_FAILED=$((TAP_FAILED + 1))
  echo "not ok $TAP_N - $1"
  shift
  for line in "$@"; do printf '%s\n' "$line" | sed 's/^/# /'; done
}

# check DESCRIPTION COMMAND...: one TAP line from a command's exit status.
check() {
  local desc=$1
  shift
  if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*"; fi
}

# equal DESCRIPTION EXPECTED ACTUAL
equal() {
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

finish() {
  echo "1..$TAP_N"
  exit 0
}

# tui COLS ROWS ARGS...: starts vaxsite on $DB in a fresh tmux session named "main".
tui() {
  local cols=$1 rows=$2
  shift 2
  $TM kill-session -t main >/dev/null 2>&1
  $TM new-session -d -s main -x "$cols" -y "$rows" \
    "$HOLD_HUP env TERM=screen-256color ${VAXSITE_CLOCK_FILE:+VAXSITE_CLOCK_FILE='$VAXSITE_CLOCK_FILE'} \
     ${VAXSITE_CLOCK:+VAXSITE_CLOCK='$VAXSITE_CLOCK'} \
     $VAXSITE --db '$DB' $*; echo '[vaxsite exited]'; exec sleep 30"
  $TM set-option -t main status off >/dev/null
}

screen() { $TM capture-pane -p -t main; }

# Several programs at once (stations at two desks, the board), each in its own tmux session.
# pane_start NAME ARGS...: ARGS (env VARS may lead) in session NAME at 80x24
pane_start() {
  local name=$1
  shift
  $TM kill-session -t "$name" >/dev/null 2>&1
  $TM new-session -d -s "$name" -x 80 -y 24 \
    "$HOLD_HUP env TERM=screen-256color $* ; echo '[vaxsite exited]'; exec sleep 30"
  $TM set-option -t "$name" status off >/dev/null
}
pane_shot() { $TM capture-pane -p -t "$1"; }
# pane_sees NAME TEXT: waits ($PANE_WAIT s at most, 8 unless the test says) until NAME shows TEXT
pane_sees() {
  local i=0
  while [ $i -lt $((${PANE_WAIT:-8} * 20)) ]; do
    pane_shot "$1" | grep -qF -- "$2" && return 0
    sleep 0.05
    i=$((i + 1))
  done
  echo "# $1 did not show: $2"
  pane_shot "$1" | sed 's/^/# /'
  return 1
}
# pane_title_has NAME TEXT: the same for NAME's title bar (its first row): the key that picks the
# desk has been read and the station drawn
pane_title_has() {
  local i=0
  while [ $i -lt $((${PANE_WAIT:-8} * 20)) ]; do
    pane_shot "$1" | head -1 | grep -qF -- "$2" && return 0
    sleep 0.05
    i=$((i + 1))
  done
  pane_shot "$1" | sed 's/^/# /'
  return 1
}
keys() { $TM send-keys -t main "$@"; }
# type TEXT: sends text literally (UTF-8 included), not as key names.
type_text() { $TM send-keys -t main -l "$1"; }
resize() { $TM resize-window -t main -x "$1" -y "$2"; }

# wait_for TEXT [SECONDS]: waits until the screen shows TEXT; 0 if it did.
wait_for() {
  local text=$1 limit=${2:-8} i=0
  while [ $i -lt $((limit * 20)) ]; do
    if screen | grep -qF -- "$text"; then return 0; fi
    sleep 0.05
    i=$((i + 1))
  done
  return 1
}

# expect_screen DESCRIPTION TEXT [SECONDS]: a TAP line; on failure the screen is shown.
expect_screen() {
  if wait_for "$2" "${3:-8}"; then
    ok "$1"
  else
    local shot
    shot=$(screen)
    not_ok "$1" "screen did not show: $2" "$shot"
  fi
}

# settle [TARGET]: waits until the screen has stayed the same for 0.2 s (at most 3 s): the keys
# sent before have been read and drawn. A wait on the screen, not a fixed sleep.
settle() {
  local t=${1:-main} prev cur i=0 same=0
  prev=$($TM capture-pane -p -t "$t")
  while [ $i -lt 60 ] && [ $same -lt 4 ]; do
    sleep 0.05
    cur=$($TM capture-pane -p -t "$t")
    if [ "$cur" = "$prev" ]; then same=$((same + 1)); else same=0; fi
    prev=$cur
    i=$((i + 1))
  done
}

# wait_for_either TEXT1 TEXT2 [SECONDS]: waits until the screen shows one of them; 0 if it did.
wait_for_either() {
  local limit=${3:-8} i=0 shot
  while [ $i -lt $((limit * 20)) ]; do
    shot=$(screen)
    if grep -qF -- "$1" <<<"$shot" || grep -qF -- "$2" <<<"$shot"; then return 0; fi
    sleep 0.05
    i=$((i + 1))
  done
  return 1
}

# expect_no_screen DESCRIPTION TEXT: the screen must not show TEXT (once it has settled).
expect_no_screen() {
  settle
  if screen | grep -qF -- "$2"; then not_ok "$1" "screen shows: $2" "$(screen)"; else ok "$1"; fi
}

sql() { sqlite3 -batch -noheader "$DB" "$1"; }

# wait_sql SQL VALUE [SECONDS]: waits until the query gives VALUE (a commit the screen announced
# may land a moment later under the sanitizers); 0 if it did.
wait_sql() {
  local limit=${3:-20} i=0
  while [ "$(sql "$1")" != "$2" ] && [ $i -lt $((limit * 20)) ]; do sleep 0.05; i=$((i + 1)); done
  [ "$(sql "$1")" = "$2" ]
}

# demo_db [PEOPLE]: a demo site in $DB (staff logins quanly/bacsi/dieuduong/tinhnguyen, PIN 1234)
demo_db() { $VAXSITE --db "$DB" demo --people "${1:-300}" >/dev/null; }

# sign_in LOGIN STATION [DESK]: from the sign-in screen to a station, given by its label as listed
# ("Check-in desk", English) or by its number; where the site has several desks of its kind, the
# DESK-th (default the first).
sign_in() {
  wait_for "PIN" || return 1
  type_text "$1"
  keys Tab
  type_text 1234
  keys Enter
  wait_for "1  " || return 1
  local n=$2
  case "$n" in
  [0-9]*) ;;
  *) n=$(screen | sed -n "s/^ *\([0-9]\)  $2\$/\1/p" | head -1) ;;
  esac
  [ -n "$n" ] || return 1
  type_text "$n"
  # a site with two desks of the station's kind asks which: desk DESK (default: the first)
  settle
  if screen | grep -qE "Which desk\?|Bàn nào\?"; then
    if [ -n "${3:-}" ]; then type_text "$3"; else keys Enter; fi
  fi
}
