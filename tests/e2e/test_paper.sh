#!/bin/bash
# The Ministry's paper certificate (annex 4 of QĐ 43/QĐ-BYT, assets/forms/moh-43-2022-annex4.conf):
# a person released at observation gets it from the certificate screen (A); pdftotext reads every
# field back and each is compared with the database, field by field; the labels are the layout
# file's; the QR on the printed page (rasterised by poppler) decodes to a certificate that
# verifies. The command line makes it in A5 and A4, from a certificate or a person; a revoked
# certificate gives no paper.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAYOUT="$ROOT/assets/forms/moh-43-2022-annex4.conf"
export VAXSITE_CLOCK_FILE="$WORK/clock"
echo "2021-10-15T08:00" >"$VAXSITE_CLOCK_FILE"
demo_db 100
sql "UPDATE site SET commune='Bản Giang', district='Tam Đường', province='Lai Châu'"
echo "2021-10-15T08:31" >"$VAXSITE_CLOCK_FILE"
V() { $VAXSITE --db "$DB" --lang en "$@"; }

# the value a layout section holds under key (the file is the test's reference for the labels)
layout() { awk -v s="[$1]" -v k="$2" '$0==s{on=1;next} /^\[/{on=0} on && $1==k {sub(/^[^=]*= /,""); print; exit}' "$LAYOUT"; }
# the text after a label on its line of pdftotext -layout, spaces around it trimmed
after() { grep -F -- "$1" <<<"$2" | head -1 | sed "s|.*$(sed 's/[][\/.*^$|]/\\&/g' <<<"$1")||; s/^ *//; s/ *$//"; }

tui 200 50 --lang en
sign_in dieuduong "Observation"
expect_screen "the observation station lists people who may leave" "✓ may leave"
keys Enter
expect_screen "release shows the dose certificate" "Dose certificate"
expect_screen "its key bar offers the paper certificate" "A paper PDF"
keys a
expect_screen "A asks where to save the paper" "Save the paper certificate (annex 4) as PDF"
keys Enter
expect_screen "and saves it" "Saved "
pdf=$(ls "$DB".certificates/*-paper.pdf 2>/dev/null | head -1)
check "the paper is a file beside the cards" test -s "$pdf"
equal "the paper is private (0600)" "600" "$(stat -c %a "$pdf")"
keys Escape

CID=$(sql "SELECT max(id) FROM certificate")
PID=$(sql "SELECT person_id FROM certificate WHERE id=$CID")
info=$(pdfinfo "$pdf")
check "the paper is A5 (148 x 210 mm), as annex 4 (pdfinfo)" grep -q "Page size: *419.5[0-9]* x 595.2[0-9]* pts" <<<"$info"
check "its title names annex 4" grep -q "^Title: *Phụ lục 4" <<<"$info"
check "its subject cites Decision 43/QĐ-BYT" grep -q "^Subject: *Quyết định 43/QĐ-BYT ngày 07/01/2022" <<<"$info"
txt=$(pdftotext -layout "$pdf" - 2>/dev/null)

# --- field by field, against the registry and the site -------------------------------------------
IFS='|' read -r name dob id phone commune <<<"$(sql "SELECT full_name, strftime('%d/%m/%Y', birth_date), national_id, phone, commune FROM person WHERE id=$PID")"
for f in title title-en nation motto vaccinated primary additional booster unit-title; do
  check "the paper prints the layout's text [$f]" grep -qF -- "$(layout "$f" text)" <<<"$txt"
done
equal "name" "$name" "$(after "$(layout name label)" "$txt")"
equal "birth date (day/month/year)" "$dob" "$(after "$(layout birth label)" "$txt")"
equal "ID number, whole (the paper is the person's)" "$id" "$(after "$(layout id label)" "$txt")"
equal "phone" "$phone" "$(after "$(layout phone label)" "$txt")"
equal "address (the commune)" "$commune" "$(after "$(layout address label)" "$txt")"
IFS='|' read -r site_name site_place <<<"$(sql "SELECT name, commune || ', ' || district || ', ' || province FROM site")"
check "the vaccination unit is the site" grep -qF "$site_name" <<<"$txt"
check "with its commune, district and province" grep -qF "$site_place" <<<"$txt"
check "the box for signature and stamp is labelled" grep -qF "$(layout stamp text)" <<<"$txt"
equal "the date of issue" "15/10/2021" "$(after "$(layout issued label)" "$txt")"
check "the certificate id under the QR" grep -qF "$(sql "SELECT ci FROM certificate WHERE id=$CID")" <<<"$txt"
# every dose in force, in its row: the date and the vaccine with its lot
while IFS='|' read -r n sd day vaccine lot; do
  if [ "$n" -le "$sd" ]; then sec="primary.$n"; else sec="booster.$((n - sd))"; fi
  row=$(after "$(layout "$sec" label)" "$txt")
  equal "dose $n is in the row [$sec] with its date, vaccine and lot" \
    "$day $vaccine ($lot)" "$(sed 's/  */ /g' <<<"$row")"
done <<<"$(sql "SELECT d.dose_number, p.series_doses, strftime('%d/%m/%Y', d.given_at, 'unixepoch', 'localtime'), p.name, d.lot_no FROM dose d JOIN product p ON p.code=d.product WHERE d.person_id=$PID AND d.voided=0 ORDER BY d.dose_number")"
check "a slot without a dose is left dotted, to fill by hand" \
  grep -q "^ *$(layout booster.3 label) *\.\.\.\." <<<"$txt"

# --- the QR on the printed page -------------------------------------------------------------------
pdftoppm -r 150 -png -singlefile "$pdf" "$WORK/paper" 2>/dev/null
out=$(V cert verify --png "$WORK/paper.png" --trust "$DB.keys/site.crt")
equal "the QR on the paper (150 dpi) decodes to a certificate that verifies" "valid" "$(head -1 <<<"$out")"
check "the released person's" grep -qF "name: $name" <<<"$out"

# --- the command line: A4, by person, refusals ------------------------------------------------------
out=$(V cert paper --person "$PID" --size a4 --out "$WORK/a4.pdf"); rc=$?
equal "cert paper --person --size a4 saves the paper" "0" "$rc"
check "on A4 (the same layout, scaled)" grep -q "(A4)" <<<"$(pdfinfo "$WORK/a4.pdf")"
pdftoppm -r 100 -png -singlefile "$WORK/a4.pdf" "$WORK/a4" 2>/dev/null
equal "its QR verifies too" "valid" "$(V cert verify --png "$WORK/a4.png" | head -1)"
equal "A4 prints the same fields" "$name" "$(after "$(layout name label)" "$(pdftotext -layout "$WORK/a4.pdf" - 2>/dev/null)")"
out=$(V cert paper "$CID" --size a3 --out "$WORK/a3.pdf" 2>&1); rc=$?
equal "another size is refused, named" "1|vaxsite: Size: a4 or a5." "$rc|$out"
out=$(V cert paper "$CID" --print 2>&1); rc=$?
equal "printing without a printer says so" "1" "$rc"
# a stand-in for CUPS's lp on PATH: it keeps its arguments and the file it was given
mkdir -p "$WORK/bin"
cat >"$WORK/bin/lp" <<LP
#!/bin/sh
printf '%s\n' "\$@" >"$WORK/lp.args"
for a; do case "\$a" in *.pdf) cp "\$a" "$WORK/printed.pdf" ;; esac; done
LP
chmod +x "$WORK/bin/lp"
V setting set cert.printer Brother_HL >/dev/null
out=$(PATH="$WORK/bin:$PATH" V cert paper "$CID" --size a4 --print 2>&1); rc=$?
equal "cert paper --print sends the paper to cert.printer through lp" "0" "$rc"
equal "lp is given the printer, A4 media and a PDF" "-s|-d|Brother_HL|-o|media=A4" \
  "$(head -5 "$WORK/lp.args" | paste -sd '|')"
check "what lp got is the paper (the person's name in it)" \
  grep -qF "$name" <<<"$(pdftotext "$WORK/printed.pdf" - 2>/dev/null)"
check "and no temporary file is left behind" test ! -e "$(sed -n 6p "$WORK/lp.args")"
sed 's/^kind = qr$/kind = star/' "$LAYOUT" >"$WORK/bad.conf"
out=$(V cert paper "$CID" --layout "$WORK/bad.conf" --out "$WORK/bad.pdf" 2>&1); rc=$?
check "a layout with an unknown kind is refused with its line" grep -q 'layout:[0-9]*: \[qr\]: unknown kind "star"' <<<"$out"
check "and no file is left" test ! -e "$WORK/bad.pdf"
echo 2468 | V staff add --login ql --name "Quản lý" --role manager >/dev/null
V cert revoke "$CID" --reason "issued to the wrong person" >/dev/null
out=$(V cert paper "$CID" --out "$WORK/old.pdf" 2>&1); rc=$?
equal "a revoked certificate gives no paper" "1|no" "$rc|$([ -e "$WORK/old.pdf" ] && echo yes || echo no)"
finish
