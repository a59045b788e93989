#!/bin/bash
# After release the certificate is on the terminal: the QR drawn there is read back from the
# screen and verified with the site's certificate; it can be saved as a PDF, and found again at
# check-in. At 80x24 the screen says how large the terminal must be.
. "$(dirname "$0")/lib.sh"

export VAXSITE_CLOCK_FILE="$WORK/clock"
echo "2021-10-15T08:00" >"$VAXSITE_CLOCK_FILE"
demo_db 100
echo "2021-10-15T08:31" >"$VAXSITE_CLOCK_FILE"
V() { $VAXSITE --db "$DB" --lang en "$@"; }

tui 200 50 --lang en
sign_in dieuduong "Observation"
expect_screen "the observation station lists people who may leave" "✓ may leave"
name=$(screen | sed -n 's/^ [0-9][0-9][0-9]  ✓ may leave *\(.*[^ ]\) *$/\1/p' | head -1)
keys Enter
expect_screen "release shows the dose certificate" "Dose certificate"
expect_screen "with the person's name" "$name"
screen >"$WORK/screen.txt"
check "the QR drawn on the terminal becomes a picture" \
  python3 "$(dirname "$0")/tools/screen_qr.py" "$WORK/screen.txt" "$WORK/screen.png"
out=$(V cert verify --png "$WORK/screen.png" --trust "$DB.keys/site.crt")
equal "a QR reader finds a valid certificate on the screen" "valid" "$(printf '%s\n' "$out" | head -1)"
check "for the released person" grep -qF "name: $name" <<<"$out"
dob=$(printf '%s\n' "$out" | sed -n 's/^birth date: \([0-9]*\)-\([0-9]*\)-\([0-9]*\)$/\3\/\2\/\1/p')
check "the certificate holds a birth date" [ -n "$dob" ]
expect_screen "the screen writes it day/month/year" "Born: $dob"
expect_screen "and the day of the dose too" "· 15/10/2021"
ci=$(printf '%s\n' "$out" | sed -n 's/^certificate id: //p')
equal "the database holds that certificate for the dose given at the visit" "1" \
  "$(sql "SELECT count(*) FROM certificate c JOIN dose d ON d.id=c.dose_id WHERE c.ci='$ci'")"
keys s
expect_screen "S asks where to save the PDF" "Save as PDF"
keys Enter
expect_screen "and saves it" "Saved "
pdf=$(ls "$DB".certificates/*.pdf | head -1)
check "the PDF holds the name" grep -qF "$name" <<<"$(pdftotext "$pdf" - 2>/dev/null)"
check "and the birth date day/month/year" grep -qF "Born: $dob" <<<"$(pdftotext "$pdf" - 2>/dev/null)"
keys Escape
expect_screen "Esc goes back to the observation list" "Under observation"
keys F9
expect_screen "F9 goes to the station list, still signed in" "Signed in: "
keys Escape
expect_screen "Esc there signs out" "PIN"
check "the sign-out is in the audit" [ "$(sql "SELECT count(*) FROM audit WHERE action='sign-out'")" -ge 1 ]

# the same certificate from the check-in desk, at 80x24: too small for the QR, says so
resize 80 24
sign_in dieuduong "Check-in desk"
expect_screen "the check-in desk opens" "Search:"
type_text "$name"
expect_screen "the person is found" "$name"
keys F6
expect_screen "F6 shows the person's certificate" "Dose certificate"
expect_screen "at 80x24 it says how large the terminal must be" "The QR needs a terminal of"
check "and shows the same certificate id" grep -qF "$ci" <<<"$(screen)"

# revoked at another station while it is on this screen: at the next key it says NOT VALID, and
# nothing of it is printed or saved
cert_id=$(sql "SELECT id FROM certificate WHERE ci='$ci'")
V cert revoke "$cert_id" --reason "entered for the wrong person" >/dev/null
keys x
expect_screen "a certificate revoked meanwhile shows NOT VALID" "NOT VALID: revoked on 15/10/2021"
expect_screen "with the reason" "entered for the wrong person"
expect_no_screen "and no longer says how to print or save it" "P print"
keys p
expect_screen "P prints nothing" "This certificate is not valid: it is not printed."
keys s
expect_no_screen "S asks for no file" "Save as PDF"
keys Escape F10
finish
