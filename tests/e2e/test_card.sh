#!/bin/bash
# The certificate card as a picture: the PNG card of a fixed person, site, dose, clock and key is
# compared with the golden cards in tests/data/card (Vietnamese and English) within a small
# tolerance (tests/e2e/tools/png_diff.py); the PDF card names the site and only the ID's last 4
# digits; the fonts it is set in come from fonts-dejavu-core (scripts/deps installs it).
#
# The golden files are written anew, after a change to the card that is meant, with
#   VAXSITE=build/tui/vaxsite tests/e2e/test_card.sh --update
# and read before they are committed (git diff shows which changed; look at the PNGs). --update
# also makes the fixed key when tests/data/card has none.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GOLD="$ROOT/tests/data/card"
DIFF="python3 $ROOT/tests/e2e/tools/png_diff.py"
update=0
[ "${1:-}" = "--update" ] && update=1

# the clock stands still: the issue date and the key's certificate are the same on every run
export VAXSITE_CLOCK_FILE="$WORK/clock"
echo "2021-10-15T09:00" >"$VAXSITE_CLOCK_FILE"
V() { $VAXSITE --db "$DB" --lang "${L:-en}" "$@"; }

V site init --code 12001 --name "Trạm Y tế xã Bản Giang" --commune "Bản Giang" \
  --district "Tam Đường" --province "Lai Châu" >/dev/null
echo 2468 | V staff add --login hoa --name "Nguyễn Thị Hoa" --role manager >/dev/null
V person add --name "Nguyễn Văn Đức" --id 001090001234 --dob 01/02/1990 --sex m >/dev/null
PID=$(sql "SELECT id FROM person WHERE national_id='001090001234'")
# the dose row as the injection station writes it, at 09:00 on 15/10/2021 (UTC+7)
sql "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, lot_no, created_at, updated_at) VALUES ('d1', $PID, 'AZ', 1, 1634263200, 'ABV5300', 1634263200, 1634263200)"
DOSE=$(sql "SELECT id FROM dose WHERE uuid='d1'")

# --- the fixed key: a test key committed with the golden files, never a site's --------------
if [ $update = 1 ] && [ ! -f "$GOLD/site.key" ]; then
  mkdir -p "$GOLD"
  V keys init >/dev/null
  cp "$DB.keys/site.key" "$DB.keys/site.crt" "$GOLD/"
else
  mkdir -m 700 "$DB.keys"
  cp "$GOLD/site.key" "$GOLD/site.crt" "$DB.keys/"
  chmod 600 "$DB.keys/site.key"
fi

out=$(V cert issue "$DOSE"); rc=$?
equal "the fixed key signs the dose's certificate" "0" "$rc"
CID=${out%% *}
# ECDSA signs with a random number each time, and the UVCI ends with a random id: the
# certificate issued once with this key is kept with the golden cards, so that the QR and the
# UVCI drawn are the same on every run
if [ $update = 1 ]; then
  sql "SELECT ci || char(10) || hc1 FROM certificate WHERE id=$CID" >"$GOLD/card.hc1"
else
  CI=$(sed -n 1p "$GOLD/card.hc1")
  HC1=$(sed -n 2p "$GOLD/card.hc1")
  sql "UPDATE certificate SET ci='$CI', hc1='$HC1' WHERE id=$CID"
fi
out=$(V cert verify "$(V cert hc1 "$CID")"); rc=$?
equal "the kept certificate is valid, signed by the fixed key" "0|valid" "$rc|$(head -1 <<<"$out")"
check "and is this person's first dose of AstraZeneca" \
  grep -q "^dose: 1 of 2 on 2021-10-15 in VN" <<<"$out"

# --- the fonts: the card asks for DejaVu Sans; a fresh Debian with scripts/deps has it -----
check "scripts/deps installs fonts-dejavu-core" grep -qw "fonts-dejavu-core" "$ROOT/scripts/deps"
V cert pdf "$CID" --out "$WORK/fonts.pdf" >/dev/null
fonts=$(pdffonts "$WORK/fonts.pdf" 2>/dev/null | tail -n +3 | awk '{print $1}' | sed 's/^[A-Z]*+//' | sort -u | tr '\n' ' ')
equal "the card is set in DejaVu Sans and its bold, and nothing else (pdffonts)" \
  "DejaVuSans DejaVuSans-Bold " "$fonts"
for f in DejaVuSans DejaVuSans-Bold; do
  file=/usr/share/fonts/truetype/dejavu/$f.ttf
  if command -v dpkg >/dev/null; then
    equal "$f comes from fonts-dejavu-core" "fonts-dejavu-core" \
      "$(dpkg -S "$file" 2>/dev/null | cut -d: -f1)"
  fi
done
# fontconfig's fc-match (the package fontconfig) is not among scripts/deps' packages: used when
# it is there, to see that the names the card asks for find those very files
if command -v fc-match >/dev/null; then
  for face in "DejaVu Sans" "DejaVu Sans:bold"; do
    file=$(fc-match -f '%{file}' "$face")
    check "fontconfig finds '$face' in fonts-dejavu-core's folder ($file)" \
      grep -q "^/usr/share/fonts/truetype/dejavu/DejaVuSans\(-Bold\)\?\.ttf$" <<<"$(readlink -f "$file")"
  done
fi

# --- the PNG card against the golden ones -----------------------------------------------------
for L in vi en; do
  L=$L V cert png "$CID" --out "$WORK/card-$L.png" >/dev/null
  if [ $update = 1 ]; then
    cp "$WORK/card-$L.png" "$GOLD/card-$L.png"
    ok "golden card-$L.png written"
    continue
  fi
  out=$($DIFF "$GOLD/card-$L.png" "$WORK/card-$L.png"); rc=$?
  equal "card-$L.png is the golden card ($out)" "0" "$rc"
done

# --- what the card says (the PDF's text) --------------------------------------------------------
L=vi V cert pdf "$CID" --out "$WORK/card-vi.pdf" >/dev/null
V cert pdf "$CID" --out "$WORK/card-en.pdf" >/dev/null
vi=$(pdftotext "$WORK/card-vi.pdf" - 2>/dev/null)
en=$(pdftotext "$WORK/card-en.pdf" - 2>/dev/null)
check "the Vietnamese card names the site as site init set it" grep -qx "Trạm Y tế xã Bản Giang" <<<"$vi"
check "the English card names the site as site init set it" grep -qx "Trạm Y tế xã Bản Giang" <<<"$en"
check "the Vietnamese card shows the ID's last 4 digits only" grep -qxF "Số CCCD/CMND: ********1234" <<<"$vi"
check "the English card shows the ID's last 4 digits only" grep -qxF "ID number: ********1234" <<<"$en"
equal "neither shows the whole ID number" "0" "$(grep -c 001090001234 <<<"$vi$en")"
check "the Vietnamese card's dates are dd/mm/yyyy" grep -qx "Cấp ngày 15/10/2021" <<<"$vi"
# a 9-digit CMND keeps its length: 5 stars and 4 digits
sql "UPDATE person SET national_id='123456789' WHERE id=$PID"
V cert pdf "$CID" --out "$WORK/cmnd.pdf" >/dev/null
check "a CMND shows as *****6789" grep -qxF "ID number: *****6789" <<<"$(pdftotext "$WORK/cmnd.pdf" - 2>/dev/null)"

finish
