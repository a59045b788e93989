#!/bin/bash
# The board fills its screen: at 80x24, 120x40 and 200x50, in Vietnamese and English, with a queue
# of a busy morning (106 waiting for screening, four desks calling), every ticket in a waiting list
# is whole, "+N" says how many did not fit, the big digits grow with the screen, and at 120x40
# and 200x50 under a quarter of the rows above the counters are blank. The screens come from the
# real board on no terminal (the whole-screen test mode), then a real terminal (tmux) shows the
# cut list and a countdown that moves with the clock alone, without any commit.
. "$(dirname "$0")/lib.sh"

export VAXSITE_CLOCK_FILE="$WORK/clock"
echo "2021-10-15T09:00" >"$VAXSITE_CLOCK_FILE"
demo_db 300
V() { $VAXSITE --db "$DB" --lang en "$@" >/dev/null; }

# 100 more people arrive, and two more desks call: the demo's 7 + 100 - 1 wait for screening
for id in $(sql "SELECT national_id FROM person WHERE id NOT IN
                 (SELECT person_id FROM visit WHERE day = '2021-10-15') ORDER BY id LIMIT 100"); do
  V queue checkin "$id" || break
done
V queue next screening --station screening-2
V queue next injection --station injection-1
equal "the queue has 106 waiting for screening and 4 tickets called" "106|4" \
  "$(sql "SELECT sum(state = 'waiting_screening'), sum(state IN ('screening', 'injection'))
          FROM visit WHERE day = '2021-10-15'")"

# the board's screen at SIZE in LANG, as text, written to $WORK/board.SIZE.LANG.txt
echo "screen board" >"$WORK/steps"
shot() {
  mkdir -p "$WORK/out-$1-$2"
  VAXSITE_SCREEN_SCRIPT="$WORK/steps" VAXSITE_SCREEN_OUT="$WORK/out-$1-$2" \
    VAXSITE_SCREEN_SIZE="$1" $VAXSITE --db "$DB" --lang "$2" board </dev/null 2>"$WORK/stderr" &&
    cp "$WORK/out-$1-$2/board.txt" "$WORK/board.$1.$2.txt"
}

# measure FILE LANG: "DIGIT_ROWS BLANK_PERCENT TICKETS_LEFT_OUT", then a line per problem with the waiting lists
measure() {
  python3 - "$1" "$2" <<'EOF'
import re, sys
path, lang = sys.argv[1], sys.argv[2]
titles = {
    "en": ["Now calling", "Waiting for screening", "Waiting for injection",
           "Observation after the injection"],
    "vi": ["Đang gọi", "Chờ khám sàng lọc", "Chờ tiêm", "Theo dõi sau tiêm"],
}[lang]
rows = open(path, encoding="utf-8").read().split("\n")[:-1]
heads = {}
for i, r in enumerate(rows):
    for k, t in enumerate(titles):
        if r.startswith(" " + t) and k not in heads:
            heads[k] = i
problems = [f"no header {titles[k]!r}" for k in range(4) if k not in heads]
# the rows of the first big ticket: consecutive rows with blocks under "Now calling"
digit, i = 0, heads.get(0, 0) + 1
while i < len(rows) and "█" in rows[i]:
    digit, i = digit + 1, i + 1
body = rows[:-1]  # the last row holds the counters
blank = sum(1 for r in body if not r.strip())
left_out = 0
for stage in (1, 2):
    if stage not in heads or stage + 1 not in heads:
        continue
    head = rows[heads[stage]]
    count = int(re.search(r"\((\d+)\)\s*$", head).group(1))
    text = " ".join(rows[heads[stage] + 1:heads[stage + 1]])
    m = re.search(r"\+(\d+)\D*$", text)
    more = int(m.group(1)) if m else 0
    tokens = (text[:m.start()] if m else text).split()
    if tokens == ["-"]:
        tokens = []
    cut = [t for t in tokens if not re.fullmatch(r"\d{3}", t)]
    if cut:
        problems.append(f"{titles[stage]}: cut tickets {cut}")
    if len(tokens) + more != count:
        problems.append(f"{titles[stage]}: {len(tokens)} shown + {more} more != {count}")
    if len(tokens) < count and not m:
        problems.append(f"{titles[stage]}: {len(tokens)} of {count} shown and no +N")
    left_out += more
print(digit, 100 * blank // len(body), left_out)
for p in problems:
    print(p)
EOF
}

declare -A DIGIT BLANK LEFT
for lang in vi en; do
  for size in 80x24 120x40 200x50; do
    if ! shot "$size" "$lang"; then
      not_ok "$size $lang: the board writes its screen" "$(cat "$WORK/stderr")"
      continue
    fi
    m=$(measure "$WORK/board.$size.$lang.txt" "$lang")
    read -r d b l <<<"$(head -1 <<<"$m")"
    DIGIT[$size.$lang]=$d
    BLANK[$size.$lang]=$b
    LEFT[$size.$lang]=$l
    problems=$(tail -n +2 <<<"$m")
    if [ -z "$problems" ]; then
      ok "$size $lang: the waiting lists show whole tickets, and +N for the ones that do not fit"
    else
      not_ok "$size $lang: the waiting lists show whole tickets, and +N for the ones that do not fit" \
        "$problems" "$(cat "$WORK/board.$size.$lang.txt")"
    fi
  done
  check "$lang: at 80x24 the lists do not all fit, and +N counts the rest (${LEFT[80x24.$lang]:-0})" \
    [ "${LEFT[80x24.$lang]:-0}" -gt 0 ]
  equal "$lang: 5-row digits at 80x24" 5 "${DIGIT[80x24.$lang]:-}"
  check "$lang: taller digits at 120x40 (${DIGIT[120x40.$lang]:-?} rows) than at 80x24" \
    [ "${DIGIT[120x40.$lang]:-0}" -gt "${DIGIT[80x24.$lang]:-0}" ]
  check "$lang: at 200x50 (${DIGIT[200x50.$lang]:-?} rows) at least as tall as at 120x40" \
    [ "${DIGIT[200x50.$lang]:-0}" -ge "${DIGIT[120x40.$lang]:-99}" ]
  # a blank row separates two rows of big tickets, and the lists end where their tickets do: a
  # quarter of the screen is more than that, an empty area (the old board left 46 % at 120x40)
  for size in 120x40 200x50; do
    if [ "${BLANK[$size.$lang]:-100}" -lt 25 ]; then
      ok "$lang: $size has ${BLANK[$size.$lang]} % blank rows, under 25 %"
    else
      not_ok "$lang: $size has ${BLANK[$size.$lang]:-?} % blank rows, under 25 %" \
        "$(cat "$WORK/board.$size.$lang.txt" 2>/dev/null)"
    fi
  done
done

# a real terminal: the list cut with "+N more" at 80x24, and a countdown that follows the clock
$TM new-session -d -s board -x 80 -y 24 \
  "$HOLD_HUP env TERM=screen-256color VAXSITE_CLOCK_FILE='$VAXSITE_CLOCK_FILE' $VAXSITE --db '$DB' --lang en board; exec sleep 30"
board() { $TM capture-pane -p -t board; }
board_wait() {
  local i=0
  while [ $i -lt 100 ]; do board | grep -qE -- "$1" && return 0; sleep 0.05; i=$((i + 1)); done
  return 1
}
check "in a terminal, the screening list ends with +N more" board_wait '^  [0-9]{3}  .*\+[0-9]+ more'
before=$(board | grep -oE '[0-9]{3} +[0-9]+ min' | head -1)
echo "2021-10-15T09:07" >"$VAXSITE_CLOCK_FILE"
after_min=$(($(sed 's/^[0-9]* *\([0-9]*\) min/\1/' <<<"$before") - 7))
check "7 minutes later the countdown says $after_min min without any commit (was: $before)" \
  board_wait "${before%% *} +$after_min min"
$TM send-keys -t board q
finish
