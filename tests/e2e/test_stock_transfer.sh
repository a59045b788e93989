#!/bin/bash
# A transfer between two sites by a bundle: site A sends unopened vials of a lot to site B; the
# transfer leaves A in A's bundle, B (trusting A's key) imports it and lists it "to receive" (the
# command line and the stock station), and taking it in puts the lot in B's stock; both ledgers
# balance. A second import changes nothing.
. "$(dirname "$0")/lib.sh"

V() { local db=$1; shift; $VAXSITE --db "$WORK/$db.db" --lang en "$@"; }
lsql() { sqlite3 -batch -noheader "$WORK/$1.db" "$2"; }
site() {
  V "$1" site init --code "$2" --name "Trạm Y tế $3" --commune "$3" --district "Tam Đường" \
    --province "Lai Châu" >/dev/null &&
    echo 1234 | V "$1" staff add --login quanly --name "Quản lý" --role manager >/dev/null
}
check "site A (12001) is set up" site A 12001 "Bản Giang"
check "site B (12002) is set up" site B 12002 "Bình Lư"
EXPIRY=$(date -d "+60 days" +%d/%m/%Y)
out=$(V A stock receive --product AZ --lot TR5501 --expiry "$EXPIRY" --vials 20 --from "CDC Lai Châu" 2>&1)
LOT=$(cut -f1 <<<"$out")
check "A receives 20 vials of AZ lot TR5501 ($out)" [ -n "$LOT" ]
out=$(V A stock transfer-out "$LOT" --vials 6 --to 12002 2>&1)
equal "A sends 6 vials to B" "6 vials sent to 12002; they reach it with the next sync." "$out"
equal "A's lot holds 14 unopened vials" "14" \
  "$(lsql A "SELECT vials_received - vials_opened - vials_removed FROM lot WHERE lot_no = 'TR5501'")"

out=$(V A export --bundle "$WORK/a.vxb" 2>&1)
check "A writes a bundle: $out" test -s "$WORK/a.vxb"
FP=$(V A sync status | sed -n 's/^bundles signed by key: //p')
check "A's bundle key is named ($FP)" test "${#FP}" = 64
out=$(V B sync trust "$FP" 2>&1)
check "B's manager trusts A's key: $out" test "$(lsql B "SELECT count(*) FROM audit WHERE action = 'sync.trust'")" = 1
out=$(V B import --bundle "$WORK/a.vxb" 2>&1)
check "B imports A's bundle: $out" test $? -eq 0
out=$(V B stock to-receive 2>&1)
check "B lists the transfer to receive: $out" grep -q "	12001	AZ	TR5501	.*	6 vials x 10" <<<"$out"
UUID=$(cut -f1 <<<"$out" | head -1)
# B's stock station says it too
DB="$WORK/B.db"
tui 100 30 --lang en
sign_in quanly "Vaccine stock"
expect_screen "B's stock station shows the transfer to receive" "To receive: 6 vials of AZ lot TR5501 from 12001"
keys F10
settle
out=$(V B import --bundle "$WORK/a.vxb" 2>&1)
equal "a second import of the bundle adds no second transfer" "1" \
  "$(lsql B "SELECT count(*) FROM stock_incoming")"
out=$(V A stock to-receive 2>&1)
equal "the sender has nothing to receive" "" "$out"

out=$(V B stock transfer-in --transfer "$UUID" 2>&1)
check "B takes the transfer in: $out" grep -q "TR5501.*60 doses on hand" <<<"$out"
equal "nothing is left to receive at B" "" "$(V B stock to-receive 2>&1)"
tui 100 30 --lang en
sign_in quanly "Vaccine stock"
expect_screen "B's stock station lists the lot received" "TR5501"
expect_no_screen "and no transfer to receive" "To receive:"
keys F10
settle
equal "B's ledger has the transfer in from A" "transfer_in|6|60|12001" \
  "$(lsql B "SELECT kind, vials, doses, other_site FROM stock_move WHERE kind = 'transfer_in'")"
out=$(V B stock transfer-in --transfer "$UUID" 2>&1); rc=$?
check "taking it in twice is refused: $out" [ "$rc" -ne 0 ]
check "A's ledger balances: $(V A check 2>&1)" grep -q ": ok" <<<"$(V A check 2>&1)"
check "B's ledger balances: $(V B check 2>&1)" grep -q ": ok" <<<"$(V B check 2>&1)"
finish
