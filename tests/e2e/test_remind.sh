#!/bin/bash
# Reminders by text message through libgammu's own dummy phone (a folder standing in for a modem;
# gammu itself reads back what the phone holds): the three people due in two days are texted once
# each, in Vietnamese, with the site, the dose, the day (and the slot's time when booked); the
# person who asked not to be texted, the one with no phone and the one due another day are not;
# a second run texts nobody; a modem that does not answer is said so and nothing is recorded.
. "$(dirname "$0")/lib.sh"

command -v gammu >/dev/null || { echo "1..0 # SKIP gammu (the command) is not installed"; exit 0; }

echo 2022-03-01T09:00 >"$WORK/clock"
V="env VAXSITE_CLOCK_FILE=$WORK/clock $VAXSITE --db $DB --lang en"
SITE="Trạm Y tế xã Tân Phong"
$V site init --code 12001 --name "$SITE" --commune "Tân Phong" --district "Than Uyên" \
  --province "Lai Châu" >/dev/null
add() { $V person add --name "$1" --id "$2" --dob 01/02/1980 ${3:+--phone "$3"} >/dev/null; }
add "Nguyễn Văn An" 001080000001 0912000001
add "Lò Thị Bình" 001080000002 0912000002
add "Tráng A Chư" 001080000003 0912000003
add "Vàng Thị Dung" 001080000004 0912000004
add "Đèo Văn Én" 001080000005
add "Hà Thị Phượng" 001080000006 0912000006
# AstraZeneca dose 1 on 3 Feb: dose 2 due from 3 March, two days after the clock's day
for id in 001080000001 001080000002 001080000004 001080000005; do
  $V dose elsewhere $id --product AZ --date 03/02/2022 --place "Bệnh viện tỉnh" >/dev/null
done
# due long ago, booked into a slot on 3 March: the call list's person
$V dose elsewhere 001080000003 --product AZ --date 03/01/2022 --place "Bệnh viện tỉnh" >/dev/null
$V plan 03/03/2022 --opens 07:30 --closes 11:30 --capacity 20 >/dev/null
$V book 001080000003 --day 03/03/2022 --time 08:00 --dose 2 >/dev/null
# due a day later: not in this run
$V dose elsewhere 001080000006 --product AZ --date 04/02/2022 --place "Bệnh viện tỉnh" >/dev/null
check "remind exclude: the person is left out" bash -c "$V remind exclude 001080000004 --reason 'xin không nhận tin' >/dev/null"
equal "the opt-out is audited" "1" "$(sql "SELECT count(*) FROM audit WHERE action = 'sms.optout'")"

mkdir -p "$WORK/phone"
printf '[gammu]\nmodel = dummy\nconnection = none\ndevice = %s\n\n[vaxsite]\nkeep_sent = yes\n' \
  "$WORK/phone" >"$WORK/gammurc"
outbox() { gammu -c "$WORK/gammurc" geteachsms 2>/dev/null; }

dry=$($V remind --days 2 --dry-run)
check "a dry run: three would be texted" grep -q "^5 due: 3 would be texted, 0 already were, 1 asked not to be, 1 have no phone" <<<"$dry"
equal "a dry run sends and records nothing" "0|0" \
  "$(sql "SELECT count(*) FROM sms_message")|$(find "$WORK/phone" -type f -path "*/sms/*" | wc -l)"

out=$($V remind --days 2 --modem "$WORK/gammurc")
rc=$?
equal "remind exits 0" "0" "$rc"
check "three texted ($(tail -1 <<<"$out"))" grep -q "^5 due: 3 texted, 0 failed" <<<"$out"
check "the opted-out person is named as such" grep -q "asked not to be texted.*Vàng Thị Dung" <<<"$out"
check "the person with no phone is named as such" grep -q "no phone number.*Đèo Văn Én" <<<"$out"
box=$(outbox)
for n in 0912000001 0912000002 0912000003; do
  equal "the phone's outbox holds one message to $n" "1" "$(grep -c "Remote number *: \"$n\"" <<<"$box")"
done
for n in 0912000004 0912000005 0912000006; do
  check "nothing to $n" bash -c "! grep -q '$n' <<<\"\$1\"" _ "$box"
done
text=$(tr -d '\n' <<<"$box")
check "the text names the site" grep -qF "$SITE: " <<<"$text"
check "the text is Vietnamese, with the dose and the day" \
  grep -qF "bạn đã đến hạn tiêm mũi 2 vắc xin COVID-19 từ ngày 03/03/2022" <<<"$text"
check "the booked person is given the slot's time" \
  grep -qF "mời bạn tiêm mũi 2 vắc xin COVID-19 ngày 03/03/2022, lúc 08:00-08:30" <<<"$text"
equal "three rows, sent, one attempt each" "3|3|3" \
  "$(sql "SELECT count(*), sum(state = 'sent'), sum(attempts) FROM sms_message")"
equal "each send is audited" "3" "$(sql "SELECT count(*) FROM audit WHERE action = 'sms.send'")"

parts=$(find "$WORK/phone/sms" -type f | wc -l)
again=$($V remind --days 2 --modem "$WORK/gammurc")
check "a second run texts nobody" grep -q "^5 due: 0 texted, 0 failed (tried again next run), 3 already were" <<<"$again"
equal "the phone's outbox is as it was" "$parts" "$(find "$WORK/phone/sms" -type f | wc -l)"
equal "still three rows" "3" "$(sql "SELECT count(*) FROM sms_message")"

check "remind include takes the person back" bash -c "$V remind include 001080000004 >/dev/null"
third=$($V remind --days 2 --modem "$WORK/gammurc")
check "then only that person is texted" grep -q "^5 due: 1 texted, 0 failed (tried again next run), 3 already were" <<<"$third"
equal "one message to 0912000004" "1" "$(outbox | grep -c 'Remote number *: "0912000004"')"

printf '[gammu]\nmodel = dummy\nconnection = none\ndevice = %s\n' "$WORK/no-such-phone" >"$WORK/bad"
err=$(env VAXSITE_CLOCK_FILE="$WORK/clock" $VAXSITE --db "$DB" --lang en remind --days 3 --modem "$WORK/bad" 2>&1 >/dev/null)
rc=$?
equal "a modem that does not answer: exit 1" "1" "$rc"
check "and it says so ($err)" grep -q "Modem: it does not answer" <<<"$err"
equal "nothing recorded for the day it could not text" "0" \
  "$(sql "SELECT count(*) FROM sms_message WHERE due_day = '2022-03-04'")"
finish
