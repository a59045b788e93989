#!/bin/bash
# Certificates from the command line: keys, issue, the QR, PDF and PNG cards, verify (our own,
# a picture, Vietnam's production sample), corrections with the revocation list, and a decoder
# that is not ours (npm packages) reading every field and checking the signature.
. "$(dirname "$0")/lib.sh"

V() { $VAXSITE --db "$DB" --lang en "$@"; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA="$ROOT/tests/data"

# --- a site, a person and a dose (the dose row as the injection station writes it) ---------
echo 2468 | V staff add --login hoa --name "Nguyễn Thị Hoa" --role manager >/dev/null
sql "UPDATE site SET code='BVLC', name='Trạm Y tế phường Tân Phong'" >/dev/null
[ "$(sql "SELECT count(*) FROM site")" = 1 ] || sql "INSERT INTO site(uuid, code, name, created_at, updated_at) VALUES ('s1', 'BVLC', 'Trạm Y tế phường Tân Phong', 0, 0)"
V person add --name "Nguyễn Văn Đức" --id 001090001234 --dob 01/02/1990 --sex m >/dev/null
PID=$(sql "SELECT id FROM person WHERE national_id='001090001234'")
sql "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, lot_no, created_at, updated_at) VALUES ('d1', $PID, 'AZ', 1, strftime('%s','now'), 'ABV5300', 0, 0)"
DOSE=$(sql "SELECT id FROM dose WHERE uuid='d1'")

# --- keys --------------------------------------------------------------------------------
out=$(V cert issue "$DOSE" 2>&1); rc=$?
equal "issuing before the site has a key is refused with the reason" "1" "$rc"
check "the refusal says to run keys init" grep -q "keys init" <<<"$out"
V keys init >/dev/null
equal "keys init writes the private key with mode 0600" "600" "$(stat -c %a "$DB.keys/site.key")"
out=$(V keys init 2>&1); rc=$?
equal "a second keys init is refused (the key is never replaced silently)" "1" "$rc"
V keys export --out "$WORK/site.pem" >/dev/null
check "keys export writes the certificate as PEM" grep -q "BEGIN CERTIFICATE" "$WORK/site.pem"
check "the exported certificate is a P-256 X.509 certificate" \
  bash -c "openssl x509 -in '$WORK/site.pem' -noout -text | grep -q 'prime256v1'"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/other.key" \
  -out "$WORK/other.pem" -subj "/CN=other" -days 2 >/dev/null 2>&1
out=$(V keys import "$WORK/other.pem" 2>&1); rc=$?
equal "keys import refuses a certificate made for another key" "1" "$rc"
# a certificate issued by a "provincial authority" for the site's key is accepted
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/ca.key" \
  -out "$WORK/ca.pem" -subj "/CN=So Y te" -days 30 >/dev/null 2>&1
openssl x509 -in "$WORK/site.pem" -x509toreq -signkey "$DB.keys/site.key" -out "$WORK/site.csr" >/dev/null 2>&1
openssl x509 -req -in "$WORK/site.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
  -days 365 -out "$WORK/issued.pem" >/dev/null 2>&1
out=$(V keys import "$WORK/issued.pem" 2>&1); rc=$?
equal "keys import installs a certificate issued for the site's key" "0" "$rc"
V keys export --out "$WORK/site.pem" >/dev/null
check "the installed certificate is the one the authority issued" \
  cmp -s <(openssl x509 -in "$WORK/site.pem" -noout -fingerprint) <(openssl x509 -in "$WORK/issued.pem" -noout -fingerprint)

# --- issue, show, verify -------------------------------------------------------------------
out=$(V cert issue "$DOSE"); rc=$?
equal "cert issue signs the dose's certificate" "0" "$rc"
CID=${out%% *}
CI=${out#* }
check "its id is a UVCI with the site code" grep -q "^URN:UVCI:01:VN:BVLC/[0-9A-F]*#[A-Z0-9/:]$" <<<"$CI"
equal "the certificate row is stored with the UVCI" "1" "$(sql "SELECT count(*) FROM certificate WHERE ci='$CI' AND revoked_at=0")"
HC1=$(V cert hc1 "$CID")
check "the HC1 string is what the row holds" test "$HC1" = "$(sql "SELECT hc1 FROM certificate WHERE id=$CID")"
out=$(V cert show "$CID")
check "cert show prints the name and the dose" grep -q "dose: 1 of 2 on" <<<"$out"
check "cert show draws the QR with half blocks" grep -q "▀" <<<"$out"
out=$(V cert qr "$CID" --ascii)
check "an ASCII QR is there for terminals without Unicode" grep -q "##" <<<"$out"
out=$(V cert verify "$HC1"); rc=$?
equal "cert verify says valid for our certificate" "0|valid" "$rc|$(head -1 <<<"$out")"
check "verify prints the decoded name" grep -q "name: Nguyễn Văn Đức" <<<"$out"
check "verify prints the ICAO name" grep -q "NGUYEN<<VAN<DUC" <<<"$out"
out=$(echo "$HC1" | V cert verify -); rc=$?
equal "cert verify reads stdin" "0|valid" "$rc|$(head -1 <<<"$out")"
out=$(V cert verify --no-site "$HC1"); rc=$?
equal "without our certificate in the trust list: unknown kid" "1|invalid: unknown kid" "$rc|$(head -1 <<<"$out")"
out=$(V cert verify --no-site --trust "$WORK/site.pem" "$HC1"); rc=$?
equal "a trust list file with our certificate: valid" "0|valid" "$rc|$(head -1 <<<"$out")"
out=$(V cert verify "HC2:${HC1#HC1:}")
equal "a wrong prefix is reported" "invalid: bad prefix" "$(head -1 <<<"$out")"
out=$(V cert verify "HC1:abc")
equal "a bad base45 is reported" "invalid: bad base45" "$(head -1 <<<"$out")"
out=$(V cert verify "HC1:BB8")
equal "bad zlib is reported" "invalid: bad zlib" "$(head -1 <<<"$out")"

# --- cards ------------------------------------------------------------------------------------
V cert pdf "$CID" --out "$WORK/card.pdf" >/dev/null
check "the PDF card is a PDF" grep -q "%PDF" "$WORK/card.pdf"
txt=$(pdftotext "$WORK/card.pdf" - 2>/dev/null)
check "pdftotext finds the name with its Vietnamese marks" grep -q "Nguyễn Văn Đức" <<<"$txt"
check "the PDF card names the vaccine lot" grep -q "Lot: ABV5300" <<<"$txt"
check "the PDF card says which dose of how many" grep -q "Dose 1 of 2" <<<"$txt"
check "the PDF card carries the certificate id" grep -qF "$CI" <<<"$txt"
check "the card's font is DejaVu Sans (it has the Vietnamese glyphs)" \
  bash -c "pdffonts '$WORK/card.pdf' | grep -q DejaVuSans"
V cert png "$CID" --out "$WORK/card.png" >/dev/null
out=$(V cert verify --png "$WORK/card.png"); rc=$?
equal "the QR on the PNG card reads back (zbar) and verifies" "0|valid" "$rc|$(head -1 <<<"$out")"
out=$(V cert print "$CID" 2>&1); rc=$?
equal "printing without a configured printer says so" "1" "$rc"

# --- Vietnam's production certificate: decoded, its key is not public -----------------------
out=$(V cert verify --png "$DATA/dcc-quality-assurance/VN/1.3.0/VAC_VN.png"); rc=$?
equal "VAC_VN.png: unknown kid" "1|invalid: unknown kid" "$rc|$(head -1 <<<"$out")"
check "VAC_VN.png is PS256 and its fields are decoded" grep -q "signature: PS256" <<<"$out"
check "VAC_VN.png has a Vietnamese UVCI" grep -q "certificate id: URN:UVCI:01:VN:" <<<"$out"
check "VAC_VN.png has a vaccination entry" grep -q "^vaccine: " <<<"$out"
mkdir -p "$WORK/cwd"
(cd "$WORK/cwd" && V cert verify --png "$DATA/dcc-quality-assurance/VN/1.3.0/VAC_VN.png" >/dev/null 2>&1)
equal "reading a picture writes no file in the working folder" "" "$(ls -A "$WORK/cwd")"
out=$(V cert verify --png /etc/hostname 2>&1); rc=$?
equal "a file that is no picture: refused, named" "1|vaxsite: File: /etc/hostname is not a readable PNG or JPEG picture." "$rc|$out"

# --- corrections: re-issue, revocation list --------------------------------------------------
out=$(V cert reissue "$CID" 2>&1); rc=$?
equal "a re-issue needs a reason" "1" "$rc"
out=$(V cert reissue "$CID" --reason "birth date corrected"); rc=$?
equal "re-issue makes a new certificate" "0" "$rc"
NEW=${out%% *}
check "with a new id" test "$NEW" != "$CID"
equal "the old one is revoked and points to the new one" "$NEW|birth date corrected" \
  "$(sql "SELECT replaced_by || '|' || revoke_reason FROM certificate WHERE id=$CID")"
V cert revoked --out "$WORK/revoked.txt" >/dev/null
check "cert revoked exports the old UVCI" grep -qxF "$CI" "$WORK/revoked.txt"
out=$(V cert verify --revoked "$WORK/revoked.txt" "$HC1")
equal "verify with the revocation list: the old certificate is revoked" "invalid: revoked" "$(head -1 <<<"$out")"
out=$(V cert verify --revoked "$WORK/revoked.txt" "$(V cert hc1 "$NEW")")
equal "the new certificate is valid with the same list" "valid" "$(head -1 <<<"$out")"

# --- a revoked certificate is never shown as valid -----------------------------------------
out=$(V cert png "$CID" --out "$WORK/old.png" 2>&1); rc=$?
equal "cert png of a revoked certificate is refused" "1" "$rc"
check "the refusal says it was revoked and names the new one" grep -q "was revoked on .* replaced by certificate $NEW" <<<"$out"
check "no PNG of it is written" test ! -e "$WORK/old.png"
out=$(V cert pdf "$CID" --out "$WORK/old.pdf" 2>&1); rc=$?
equal "cert pdf of a revoked certificate is refused, no file" "1|no" "$rc|$([ -e "$WORK/old.pdf" ] && echo yes || echo no)"
out=$(V cert hc1 "$CID" 2>&1); rc=$?
equal "cert hc1 of a revoked certificate is refused" "1" "$rc"
check "cert hc1 says NOT VALID and gives no HC1" bash -c 'grep -q "^NOT VALID" <<<"$1" && ! grep -q "HC1:" <<<"$1"' _ "$out"
out=$(V cert qr "$CID" 2>&1); rc=$?
equal "cert qr of a revoked certificate is refused, no QR drawn" "1|0" "$rc|$(grep -c '▀\|▄\|█' <<<"$out")"
out=$(COLUMNS=200 V cert show "$CID"); rc=$?
equal "cert show of a revoked certificate exits 1 and draws no QR" "1|0" "$rc|$(grep -c '▀\|▄\|█' <<<"$out")"
check "cert show marks it NOT VALID with the replacement" grep -q "It was replaced by certificate $NEW" <<<"$out"
out=$(V cert verify "$HC1"); rc=$?
equal "cert verify on the issuing site's database knows its own revocations" "1|invalid: revoked" "$rc|$(head -1 <<<"$out")"
out=$(V cert verify "$(V cert hc1 "$NEW")"); rc=$?
equal "and the replacement is valid there" "0|valid" "$rc|$(head -1 <<<"$out")"
sql "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, lot_no, created_at, updated_at) VALUES ('d2', $PID, 'AZ', 2, strftime('%s','now'), 'ABV5301', 0, 0)"
D2=$(sql "SELECT id FROM dose WHERE uuid='d2'")
out=$(V cert issue "$D2"); C2=${out%% *}; CI2=${out#* }
out=$(V cert revoke "$C2" --reason "issued to the wrong person" 2>&1); rc=$?
equal "cert revoke says what it did" "0|certificate $C2 ($CI2) revoked: issued to the wrong person; it is on the revocation list (cert revoked)." "$rc|$out"

# --- cert verify --json: JSON only, with the verdict -----------------------------------------
out=$(V cert verify --json "$(V cert hc1 "$NEW")"); rc=$?
equal "verify --json of a valid certificate: one JSON object, verdict valid" "0|valid|valid|0|ES256" \
  "$rc|$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["verdict"], d["result"], len(d["reasons"]), d["signature"]["alg"], sep="|")' <<<"$out" 2>&1)"
equal "verify --json carries the certificate" "Văn Đức" \
  "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["hcert"]["nam"]["gn"])' <<<"$out" 2>&1)"
out=$(V cert verify --json "$HC1"); rc=$?
equal "verify --json of a revoked certificate: verdict invalid, result revoked, with reasons" "1|invalid|revoked|2" \
  "$rc|$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["verdict"], d["result"], len(d["reasons"]), sep="|")' <<<"$out" 2>&1)"
out=$(V cert verify --json "HC1:abc"); rc=$?
equal "verify --json of garbage: still JSON" "1|invalid|bad_base45" \
  "$rc|$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["verdict"], d["result"], sep="|")' <<<"$out" 2>&1)"

# --- the QR on a terminal: the width it needs, and read back from the drawing ---------------
out=$(COLUMNS=80 V cert qr "$NEW" 2>&1); rc=$?
equal "at 80 columns a QR that does not fit is refused" "1" "$rc"
check "the refusal names the width it needs" grep -Eq "needs [0-9]+ columns and the terminal has 80" <<<"$out"
check "and nothing of it is drawn" test "$(grep -c '▀\|▄\|█' <<<"$out")" = 0
out=$(COLUMNS=80 V cert show "$NEW" 2>&1); rc=$?
equal "cert show at 80 columns: the fields, then the refusal" "1" "$rc"
check "cert show still prints the fields" grep -q "name: Nguyễn Văn Đức" <<<"$out"
COLUMNS=200 V cert qr "$NEW" >"$WORK/qr.txt"; rc=$?
equal "at 200 columns the QR is drawn" "0" "$rc"
# the half blocks back to a picture: ▀ dark above, ▄ dark below, █ both, a space neither
python3 - "$WORK/qr.txt" "$WORK/qr-drawn.png" <<'PY'
import struct, sys, zlib
rows = open(sys.argv[1], encoding="utf-8").read().rstrip("\n").split("\n")
top = {"▀": (1, 0), "▄": (0, 1), "█": (1, 1), " ": (0, 0)}
px = []
for r in rows:
    a, b = [], []
    for ch in r:
        t, u = top[ch]
        a.append(t); b.append(u)
    px += [a, b]
w, s = max(len(r) for r in px), 6
raw = b""
for r in px:
    line = b"\0" + bytes(0 if v else 255 for v in r for _ in range(s))
    raw += line * s
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
with open(sys.argv[2], "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w * s, len(px) * s, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
out=$(V cert verify --png "$WORK/qr-drawn.png"); rc=$?
equal "the drawn QR read back (dark modules as ink) is the certificate and verifies" "0|valid" "$rc|$(head -1 <<<"$out")"
out=$(COLUMNS=200 script -qc "$VAXSITE --db $DB --lang en cert qr $NEW" /dev/null | head -3)
check "on a terminal the QR sets black on white itself (light and dark themes)" grep -q $'\e\\[30;107m' <<<"$out"

# --- the card: equal margins, dates as dd/mm/yyyy ------------------------------------------------
for lang in vi en; do
  $VAXSITE --db "$DB" --lang $lang cert png "$NEW" --out "$WORK/card-$lang.png" >/dev/null
  # the title's ink (rows 48 to 110, above the site's name): its first and last dark column
  read -r x right < <(convert "$WORK/card-$lang.png" ppm:- | python3 -c '
import sys
d = sys.stdin.buffer.read()
parts = d.split(maxsplit=4)
w, h, px = int(parts[1]), int(parts[2]), parts[4]
cols = [c for c in range(w) if any(px[3 * (y * w + c)] < 128 for y in range(48, 110))]
print(cols[0], w - 1 - cols[-1])')
  check "the $lang card's title: right margin $right px >= left margin $x px - 1 mm" test $((right * 10)) -ge $((x * 10 - 95))
done
$VAXSITE --db "$DB" --lang vi cert pdf "$NEW" --out "$WORK/card-vi.pdf" >/dev/null
txt=$(pdftotext "$WORK/card-vi.pdf" - 2>/dev/null)
check "the Vietnamese card's issue date is dd/mm/yyyy" grep -q "Cấp ngày $(date +%d/%m/%Y)" <<<"$txt"
check "no ISO date is left on the card" bash -c '! grep -Eq "[0-9]{4}-[0-9]{2}-[0-9]{2}" <<<"$1"' _ "$txt"

# --- keys rotate: a new key signs, what the old one signed still verifies --------------------
out=$(V keys init --rsa 2048 2>&1); rc=$?
equal "keys init over a key is refused and points to keys rotate" "1|yes" \
  "$rc|$(grep -q "vaxsite keys rotate" <<<"$out" && echo yes)"
OLDHC1=$(V cert hc1 "$NEW")
old_kid=$(V cert verify "$OLDHC1" | sed -n 's/^signature: ES256, kid //p')
out=$(V keys rotate 2>&1); rc=$?
equal "keys rotate succeeds" "0" "$rc"
check "it names the old key's kid and where its certificate is kept" \
  grep -qF "the old key (kid $old_kid, certificate SHA-256 " <<<"$out"
new_kid=$(sed -n 's/^new signing key made in .*: kid \([^ ]*\) .*/\1/p' <<<"$out")
check "and the new key's kid ($new_kid), another one" test -n "$new_kid" -a "$new_kid" != "$old_kid"
equal "the new key file is 0600" "600" "$(stat -c %a "$DB.keys/site.key")"
fp=$(sed -n 's/.*vaxsite sync trust \([0-9a-f]\{64\}\)$/\1/p' <<<"$out")
equal "it names the trust a district needs for the bundles, the key they are signed with now" \
  "$(V sync status | sed -n 's/^bundles signed by key: //p')" "${fp:-no fingerprint printed}"
equal "the old certificate is kept in retired/" "1" "$(ls "$DB.keys/retired" | grep -c '\.crt$')"
equal "the rotation is audited with both kids" "1" \
  "$(sql "SELECT count(*) FROM audit WHERE action='keys.rotate' AND details LIKE '%kid $old_kid -> $new_kid;%'")"
sql "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, lot_no, created_at, updated_at) VALUES ('d3', $PID, 'PF', 3, strftime('%s','now'), 'FK1234', 0, 0)"
out=$(V cert issue "$(sql "SELECT id FROM dose WHERE uuid='d3'")"); C3=${out%% *}
HC3=$(V cert hc1 "$C3")
out=$(V cert verify "$HC3"); rc=$?
equal "a certificate issued after the rotation is valid, under the new kid" "0|valid|$new_kid" \
  "$rc|$(head -1 <<<"$out")|$(sed -n 's/^signature: ES256, kid //p' <<<"$out")"
out=$(V cert verify "$OLDHC1"); rc=$?
equal "one issued before still verifies on the site, under the old kid" "0|valid|$old_kid" \
  "$rc|$(head -1 <<<"$out")|$(sed -n 's/^signature: ES256, kid //p' <<<"$out")"
V keys export --out "$WORK/trust.pem" >/dev/null
equal "keys export gives verifiers both certificates" "2" "$(grep -c 'BEGIN CERTIFICATE' "$WORK/trust.pem")"
out=$(V cert verify --no-site --trust "$WORK/trust.pem" "$OLDHC1"); rc=$?
equal "with the exported list alone: the old one is valid" "0|valid" "$rc|$(head -1 <<<"$out")"
out=$(V cert verify --no-site --trust "$WORK/trust.pem" "$HC3"); rc=$?
equal "with the exported list alone: the new one is valid" "0|valid" "$rc|$(head -1 <<<"$out")"
out=$(V cert verify --no-site --trust "$WORK/site.pem" "$HC3"); rc=$?
equal "a verifier with only the old certificate does not know the new kid" "1|invalid: unknown kid" \
  "$rc|$(head -1 <<<"$out")"

# --- an independent decoder (npm: base45, pako, cbor, cose-js) -------------------------------
NPM_DIR=${VAXSITE_NPM_CACHE:-$HOME/.cache/vaxsite-npm}
mkdir -p "$NPM_DIR"
if [ ! -d "$NPM_DIR/node_modules/cose-js" ] || [ ! -d "$NPM_DIR/node_modules/cbor" ] ||
   [ ! -d "$NPM_DIR/node_modules/base45" ] || [ ! -d "$NPM_DIR/node_modules/pako" ]; then
  if ! npm install --silent --no-audit --no-fund --prefix "$NPM_DIR" \
      cose-js@0.9.0 cbor@9 base45@3 pako@2 >"$WORK/npm.log" 2>&1; then
    not_ok "the independent decoder (npm cose-js, cbor, base45, pako) could not be installed" \
      "$(tail -5 "$WORK/npm.log")"
    finish
  fi
fi
ok "the independent decoder is installed in $NPM_DIR"
HC1=$(V cert hc1 "$NEW")
dec=$(echo "$HC1" | NODE_PATH="$NPM_DIR/node_modules" node "$ROOT/tests/e2e/cert/decode.js" "$WORK/site.pem" 2>&1)
field() { sed -n "s/^$1=//p" <<<"$dec"; }
equal "npm: COSE_Sign1 tag" "18" "$(field tag)"
equal "npm: ES256" "-7" "$(field alg)"
equal "npm: kid is the first 8 bytes of SHA-256 of the signer's certificate" "$(field certkid)" "$(field kid)"
equal "npm: issuer country" "VN" "$(field iss)"
equal "npm: schema version" "1.3.0" "$(field ver)"
equal "npm: fn" "Nguyễn" "$(field fn)"
equal "npm: gn" "Văn Đức" "$(field gn)"
equal "npm: fnt" "NGUYEN" "$(field fnt)"
equal "npm: gnt" "VAN<DUC" "$(field gnt)"
equal "npm: dob" "1990-02-01" "$(field dob)"
equal "npm: tg" "840539006" "$(field tg)"
equal "npm: vp" "J07BX03" "$(field vp)"
equal "npm: mp" "EU/1/21/1529" "$(field mp)"
equal "npm: ma" "ORG-100001699" "$(field ma)"
equal "npm: dn/sd" "1/2" "$(field dn)/$(field sd)"
equal "npm: dt" "$(date +%F)" "$(field dt)"
equal "npm: co" "VN" "$(field co)"
equal "npm: is" "Ministry of Health of Viet Nam" "$(field is)"
equal "npm: ci" "$(sql "SELECT ci FROM certificate WHERE id=$NEW")" "$(field ci)"
iat=$(field iat); exp=$(field exp)
equal "npm: valid for 365 days" "31536000" "$((exp - iat))"
equal "npm: cose-js verifies the signature with our certificate's key" "valid" "$(field signature)"
# one byte of the signature changed: the independent verifier refuses it too
bad=$(node -e '
const z=require("'"$NPM_DIR"'/node_modules/pako"),b=require("'"$NPM_DIR"'/node_modules/base45");
const s=process.argv[1];const c=Buffer.from(z.inflate(b.decode(s.slice(4))));c[c.length-1]^=1;
console.log("HC1:"+b.encode(z.deflate(c)));' "$HC1")
dec=$(echo "$bad" | NODE_PATH="$NPM_DIR/node_modules" node "$ROOT/tests/e2e/cert/decode.js" "$WORK/site.pem" 2>&1)
check "npm: a changed signature byte fails cose-js" grep -q "^signature=invalid" <<<"$dec"
out=$(V cert verify "$bad")
equal "and our verifier says bad signature" "invalid: bad signature" "$(head -1 <<<"$out")"

finish
