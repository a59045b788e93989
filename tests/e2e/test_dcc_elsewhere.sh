#!/bin/bash
# A dose given elsewhere from the person's EU DCC: the scanner types its QR ("HC1:...") over the
# check-in's search with the person selected; what it says is shown (name, birth date, vaccine,
# dose n of m, date, country, issuer, UVCI, the signature's check) and Enter records it as a dose
# given elsewhere; the same certificate again is refused as recorded already; an unknown signer or
# another person's name is recorded only when a letter is typed. The same on the command line
# (dose elsewhere ID --hc1 -). Certificates and their signers from the public DCC test data.
. "$(dirname "$0")/lib.sh"

DATA="$(dirname "$0")/../data/dcc-testdata"
field() { sed -n "s/.*\"$2\": \"\\([^\"]*\\)\".*/\\1/p" "$DATA/$1" | head -1; }
# Germany's test case 1: Erika Mustermann, born 12/08/1964, Moderna dose 2 of 2 on 29/05/2021
DE_HC1=$(field DE/2DCode/raw/1.json PREFIX)
DE_UVCI="URN:UVCI:01DE/IZ12345A/5CWLU12RNOB9RXSEOP6FG8#W"
# Belgium's test case 1: Peter Paul Maria Ebraert, AstraZeneca dose 2 of 2; its signer is not
# given to the site
BE_HC1=$(field BE/2DCode/raw/1.json PREFIX)
# Belgium's test case 4: a birth date of a year only ("1992")
BE4_HC1=$(field BE/2DCode/raw/4.json PREFIX)

V() { $VAXSITE --db "$DB" --lang en "$@"; }

for lang in en vi; do
  rm -rf "$DB" "$DB-wal" "$DB-shm" "$DB.keys"
  demo_db 60
  # the site's trust list: the German signer's certificate, as a site would be given it
  mkdir -p "$DB.keys"
  {
    echo "-----BEGIN CERTIFICATE-----"
    field DE/2DCode/raw/1.json CERTIFICATE | fold -w 64
    echo "-----END CERTIFICATE-----"
  } >"$DB.keys/trust.pem"
  V person add --name "Erika Mustermann" --id 045123456 --dob 12/08/1964 --sex f >/dev/null
  V person add --name "Nguyễn Thị Hoa" --id 045123457 --dob 14/01/1980 --sex f >/dev/null
  if [ $lang = vi ]; then
    t_title="Liều tiêm nơi khác"; t_recorded="Đã ghi cho Erika Mustermann"; t_already="đã được ghi"
    t_unknown="Không rõ người ký"; t_name="Tên không phải của Nguyễn Thị Hoa"; t_letter=g
    t_next="tiếp theo: mũi 3"
  else
    t_title="Dose given elsewhere"; t_recorded="Recorded for Erika Mustermann"; t_already="already recorded"
    t_unknown="Signer unknown"; t_name="The name is not Nguyễn Thị Hoa's"; t_letter=r
    t_next="next: dose 3"
  fi
  tui 100 30 --lang $lang
  sign_in dieuduong 1
  wait_for "F2"

  # the person first, then the certificate's QR over the search, with the scanner's Enter
  type_text "Erika Muster"
  wait_for "045123456"
  type_text "$DE_HC1"
  keys Enter
  expect_screen "$lang: the certificate is shown before anything is recorded" "$t_title"
  expect_screen "$lang: with its issuer and country" "Robert Koch-Institut"
  expect_screen "$lang: and its UVCI" "$DE_UVCI"
  expect_screen "$lang: dose 2 of 2 on its day" "29/05/2021"
  equal "$lang: nothing recorded before the nurse says so" "0" \
    "$(sql "SELECT count(*) FROM dose WHERE uvci = '$DE_UVCI'")"
  keys Enter
  check "$lang: Enter records it as a dose given elsewhere, with its source, UVCI and check" \
    wait_sql "SELECT p.national_id || '|' || d.dose_number || '|' || d.product || '|' || d.source || '|' || d.verified || '|' || d.place || '|' || date(d.given_at, 'unixepoch', '+7 hours') FROM dose d JOIN person p ON p.id = d.person_id WHERE d.uvci = '$DE_UVCI'" \
    "045123456|2|MO|hc1|expired|Robert Koch-Institut (DE)|2021-05-29"
  expect_screen "$lang: the desk says it is recorded" "$t_recorded"
  expect_screen "$lang: and the next dose here is dose 3" "$t_next"

  # the same certificate again: refused, said at once
  type_text "$DE_HC1"
  keys Enter
  expect_screen "$lang: a second scan of the same certificate is refused" "$t_already"
  equal "$lang: and records nothing" "1" "$(sql "SELECT count(*) FROM dose WHERE uvci = '$DE_UVCI'")"

  # another person's certificate, signed by a signer the site does not know: a letter confirms
  keys Escape
  type_text "Nguyen Thi Hoa"
  wait_for "045123457"
  type_text "$BE_HC1"
  keys Enter
  expect_screen "$lang: an unknown signer is said" "$t_unknown"
  expect_screen "$lang: and another person's name" "$t_name"
  keys Enter
  settle
  equal "$lang: Enter alone records nothing then" "0" \
    "$(sql "SELECT count(*) FROM dose d JOIN person p ON p.id = d.person_id WHERE p.national_id = '045123457'")"
  keys Escape
  settle
  type_text "$BE_HC1"
  keys Enter
  wait_for "$t_unknown"
  type_text "$t_letter"
  check "$lang: the letter records it, unverified" \
    wait_sql "SELECT d.dose_number || '|' || d.product || '|' || d.verified FROM dose d JOIN person p ON p.id = d.person_id WHERE p.national_id = '045123457'" \
    "2|AZ|unknown_kid"
done

# the command line: the certificate on standard input
V person add --name "Razaan Al Masalma" --id 045123458 --dob 03/05/1992 --sex f >/dev/null
out=$(printf '%s\n' "$BE4_HC1" | V dose elsewhere 045123458 --hc1 - 2>&1); rc=$?
case "$out" in *"add --accept signer"*) ok "cli: an unknown signer needs --accept signer" ;;
  *) not_ok "cli: an unknown signer needs --accept signer" "$out" ;; esac
equal "cli: and nothing is recorded without it" "1|0" \
  "$rc|$(sql "SELECT count(*) FROM dose d JOIN person p ON p.id = d.person_id WHERE p.national_id = '045123458'")"
out=$(printf '%s\n' "$BE4_HC1" | V dose elsewhere 045123458 --hc1 - --accept signer 2>&1); rc=$?
equal "cli: a birth year on the certificate matches the registry's date; recorded" "0|2|AZ|hc1" \
  "$rc|$(sql "SELECT d.dose_number || '|' || d.product || '|' || d.source FROM dose d JOIN person p ON p.id = d.person_id WHERE p.national_id = '045123458'")"
out=$(printf '%s\n' "$BE4_HC1" | V dose elsewhere 045123458 --hc1 - --accept signer 2>&1); rc=$?
case "$rc|$out" in 1*"already recorded"*) ok "cli: the same certificate again is refused" ;;
  *) not_ok "cli: the same certificate again is refused" "$rc|$out" ;; esac

finish
