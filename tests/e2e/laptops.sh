# laptops.sh: the teams' laptops of the sync tests (sourced after lib.sh). Each laptop is a
# database $WORK/NAME.db.
#   V NAME ARGS...       vaxsite on that laptop, in English
#   lsql NAME SQL        the sqlite3 shell on it
#   laptop NAME SITE     a real site (not the demo: a demo never pushes) with the manager quanly
#                        (PIN 1234)
V() { local db=$1; shift; $VAXSITE --db "$WORK/$db.db" --lang en "$@"; }
lsql() { local db=$1; shift; sqlite3 -batch -noheader "$WORK/$db.db" "$1"; }
laptop() {
  echo 1234 | V "$1" staff add --login quanly --name "Quản lý" --role manager >/dev/null
  lsql "$1" "INSERT INTO site(uuid, code, name, created_at, updated_at)
             VALUES (lower(hex(randomblob(16))), '$2', '$2', 0, 0)"
}
