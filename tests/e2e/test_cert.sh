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
V keys export --out "$WORK/site.pem"
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
V keys export --out "$WORK/site.pem"
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
V cert pdf "$CID" --out "$WORK/card.pdf"
check "the PDF card is a PDF" grep -q "%PDF" "$WORK/card.pdf"
txt=$(pdftotext "$WORK/card.pdf" - 2>/dev/null)
check "pdftotext finds the name with its Vietnamese marks" grep -q "Nguyễn Văn Đức" <<<"$txt"
check "the PDF card names the vaccine lot" grep -q "Lot: ABV5300" <<<"$txt"
check "the PDF card says which dose of how many" grep -q "Dose 1 of 2" <<<"$txt"
check "the PDF card carries the certificate id" grep -qF "$CI" <<<"$txt"
check "the card's font is DejaVu Sans (it has the Vietnamese glyphs)" \
  bash -c "pdffonts '$WORK/card.pdf' | grep -q DejaVuSans"
V cert png "$CID" --out "$WORK/card.png"
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
V cert revoked --out "$WORK/revoked.txt"
check "cert revoked exports the old UVCI" grep -qxF "$CI" "$WORK/revoked.txt"
out=$(V cert verify --revoked "$WORK/revoked.txt" "$HC1")
equal "verify with the revocation list: the old certificate is revoked" "invalid: revoked" "$(head -1 <<<"$out")"
out=$(V cert verify --revoked "$WORK/revoked.txt" "$(V cert hc1 "$NEW")")
equal "the new certificate is valid with the same list" "valid" "$(head -1 <<<"$out")"

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
