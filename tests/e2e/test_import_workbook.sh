#!/bin/bash
# vaxsite import reads a commune's list sent as an .xlsx workbook: its first sheet (by the
# workbook's order, not the part's file name), shared and inline strings, an ID stored as a number
# in exponent form, dates stored as serial numbers in a built-in and a custom date format; the rows
# go through the same checks as a CSV list and the messages name the sheet's rows. The workbook is
# written here with python's zipfile, part by part, as a spreadsheet program lays it out. An .xls
# list too, built byte-wise (see make_xls).
. "$(dirname "$0")/lib.sh"

demo_db 20

# make_xlsx OUT NAME1 NAME2 ID1 ID2 [BIRTH2]: the list's sheet is the workbook's first, stored as
# xl/worksheets/sheet2.xml; sheet1.xml is a second sheet ("Ghi chú") whose person must not be read
make_xlsx() {
  python3 - "$@" <<'EOF'
import sys, zipfile, datetime
out, name1, name2, id1, id2 = sys.argv[1:6]
birth2 = sys.argv[6] if len(sys.argv) > 6 else None
def serial(y, m, d):
    return (datetime.date(y, m, d) - datetime.date(1899, 12, 30)).days
ss = ["UBND XÃ CHIỀNG AN, HUYỆN MƯỜNG LA", "Họ và tên", "Ngày sinh", name1]
def inline(ref, text):
    return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, text)
def shared(ref, i):
    return '<c r="%s" t="s"><v>%d</v></c>' % (ref, i)
born2 = ('<c r="C5" t="inlineStr"><is><t>%s</t></is></c>' % birth2 if birth2 else
         '<c r="C5" s="2"><v>%d</v></c>' % serial(1972, 2, 1))
rows = [
    '<row r="1">%s</row>' % shared("A1", 0),
    '<row r="3">%s%s%s%s%s%s</row>' % (inline("A3", "STT"), shared("B3", 1), shared("C3", 2),
                                     inline("D3", "Số CCCD"), inline("E3", "SĐT"),
                                     inline("F3", "Nhóm ưu tiên")),
    # an ID and a phone stored as numbers (leading zeros lost, the ID in exponent form), a date
    # in the built-in short date format (numFmtId 14)
    '<row r="4"><c r="A4"><v>1</v></c>%s<c r="C4" s="1"><v>%d</v></c><c r="D4"><v>%s</v></c>'
    '<c r="E4"><v>912000031</v></c>%s</row>' % (shared("B4", 3), serial(1971, 2, 1), id1,
                                               inline("F4", "Nhóm 5")),
    # the ID as text, a date in a custom dd/mm/yyyy format, the trailing cells left out
    '<row r="5"><c r="A5"><v>2</v></c>%s%s%s</row>' % (inline("B5", name2), born2,
                                                       inline("D5", id2)),
]
sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<sheetData>%s</sheetData></worksheet>' % "".join(rows))
other = ('<?xml version="1.0" encoding="UTF-8"?>'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         '<row r="1">%s%s%s</row><row r="2">%s%s%s</row></sheetData></worksheet>'
         % (inline("A1", "Họ và tên"), inline("B1", "Ngày sinh"), inline("C1", "Số CCCD"),
            inline("A2", "Không Phải Người"), inline("B2", "01/01/2000"),
            inline("C2", "001200000009")))
sst = ('<?xml version="1.0" encoding="UTF-8"?>'
       '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" '
       'uniqueCount="%d">%s</sst>' % (len(ss), len(ss),
                                      "".join("<si><t>%s</t></si>" % s for s in ss)))
styles = ('<?xml version="1.0" encoding="UTF-8"?>'
          '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
          '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs>'
          '</styleSheet>')
workbook = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Danh sách" sheetId="1" r:id="rId7"/>'
            '<sheet name="Ghi chú" sheetId="2" r:id="rId3"/></sheets></workbook>')
rels = ('<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>')
types = ('<?xml version="1.0" encoding="UTF-8"?>'
         '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="xml" ContentType="application/xml"/></Types>')
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", types)
    z.writestr("xl/workbook.xml", workbook)
    z.writestr("xl/_rels/workbook.xml.rels", rels)
    z.writestr("xl/worksheets/sheet1.xml", other)
    z.writestr("xl/worksheets/sheet2.xml", sheet)
    z.writestr("xl/sharedStrings.xml", sst)
    z.writestr("xl/styles.xml", styles)
EOF
}

make_xlsx "$WORK/list.xlsx" "Quàng Văn Ón" "Quàng Thị Én" 1.2071900031E10 012172900032
out=$($VAXSITE --db "$DB" --lang vi import "$WORK/list.xlsx"); rc=$?
equal "an .xlsx list is imported (vi)" "0" "$rc"
check "the Vietnamese notice names the sheet's row and the ID read with its 0 put back ($out)" \
  grep -q '^list.xlsx:4: lưu ý: Số CCCD/CMND: đọc là 012071900031; bảng tính đã bỏ mất số 0' <<<"$out"
check "the outcome names the workbook ($out)" grep -q '^list.xlsx (tệp Excel .xlsx, trang tính đầu tiên): 2 ' <<<"$out"
equal "the rows stored as the clerk meant them: digits, dates, the phone's 0, the group by number" \
  "012071900031|Quàng Văn Ón|1971-02-01|0912000031|G05,012172900032|Quàng Thị Én|1972-02-01||" \
  "$(sql "SELECT group_concat(national_id || '|' || full_name || '|' || birth_date || '|' || ifnull(phone, '') || '|' || ifnull(priority_group, ''), ',') FROM (SELECT * FROM person WHERE national_id IN ('012071900031','012172900032') ORDER BY national_id)")"
equal "the second sheet is not read" "0" \
  "$(sql "SELECT count(*) FROM person WHERE national_id = '001200000009'")"
before=$(sql "SELECT count(*) FROM person")
out=$($VAXSITE --db "$DB" --lang vi import "$WORK/list.xlsx"); rc=$?
equal "the same workbook again adds nobody" "0|$before" "$rc|$(sql "SELECT count(*) FROM person")"

# under English, a row with a date that does not exist: all or nothing, named by its sheet row
make_xlsx "$WORK/bad.xlsx" "Lường Văn Ón" "Lường Thị Én" 12071900041 012172900042 31/02/1972
out=$($VAXSITE --db "$DB" --lang en import "$WORK/bad.xlsx" 2>&1); rc=$?
equal "a workbook with a refused row is refused whole" "1|0" \
  "$rc|$(sql "SELECT count(*) FROM person WHERE national_id IN ('012071900041','012172900042')")"
check "the refused row is named by its sheet row ($out)" \
  grep -q '^bad.xlsx:5: Birth date: 31/02/1972 does not exist' <<<"$out"
out=$($VAXSITE --db "$DB" --lang en import "$WORK/bad.xlsx" --valid-only); rc=$?
equal "--valid-only takes the good row of a workbook" "0|1" \
  "$rc|$(sql "SELECT count(*) FROM person WHERE national_id = '012071900041'")"
check "the English outcome names the workbook ($out)" \
  grep -q '^bad.xlsx (.xlsx workbook, first sheet): 2 rows, 1 refused' <<<"$out"

# a file that starts like a workbook but is not one is refused in one line naming it
printf 'PK\003\004 not a workbook' >"$WORK/cut.xlsx"
out=$($VAXSITE --db "$DB" --lang en import "$WORK/cut.xlsx" 2>&1 >/dev/null); rc=$?
equal "a broken workbook is refused in one line" "1|1" "$rc|$(wc -l <<<"$out")"
check "it names the file and says what it is ($out)" \
  grep -q 'cut.xlsx: looks like an Excel workbook (.xlsx) but cannot be opened as one' <<<"$out"

# .xls: no program here writes one, so the test builds it byte-wise (python's struct): a compound
# file (header, one FAT sector, one directory sector, the Workbook stream) holding BIFF8 records:
# the globals (BOF, CODEPAGE 1200, DATEMODE, a custom dd/mm/yyyy FORMAT, three XFs: general,
# custom date, built-in date 14), two BOUNDSHEETs, the SST; then each sheet (BOF, DIMENSIONS,
# LABELSST, NUMBER and RK cells, EOF). libfreexl reads it as it reads Excel's own.
make_xls() {
  python3 - "$@" <<'PY'
import struct, sys, datetime
# BIFF8 records (the .xls workbook stream) inside a compound file of 512-byte sectors
def rec(t, data=b""):
    return struct.pack("<HH", t, len(data)) + data
def u16s(s):  # XLUnicodeString, UTF-16
    return struct.pack("<HB", len(s), 1) + s.encode("utf-16-le")
def short_u16s(s):
    return struct.pack("<BB", len(s), 1) + s.encode("utf-16-le")
def serial(y, m, d):
    return float((datetime.date(y, m, d) - datetime.date(1899, 12, 30)).days)
def make(out, cells, sheets=("Danh sách", "Ghi chú"), other=()):
    strings = []
    def sst(s):
        if s not in strings:
            strings.append(s)
        return strings.index(s)
    def sheet_stream(cells):
        body = b""
        nrows = max(r for r, c, v in cells) + 1 if cells else 0
        ncols = max(c for r, c, v in cells) + 1 if cells else 0
        for r, c, v in cells:
            if isinstance(v, str):
                body += rec(0x00FD, struct.pack("<HHHI", r, c, 0, sst(v)))
            elif isinstance(v, tuple):  # (xf, number)
                body += rec(0x0203, struct.pack("<HHHd", r, c, v[0], v[1]))
            else:  # an integer as an RK
                body += rec(0x027E, struct.pack("<HHHI", r, c, 0, (v << 2) | 2))
        return (rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6)) +
                rec(0x0200, struct.pack("<IIHHH", 0, nrows, 0, ncols, 0)) + body + rec(0x000A))
    streams = [sheet_stream(cells), sheet_stream(list(other))]
    xf = lambda fmt: rec(0x00E0, struct.pack("<HHH", 0, fmt, 0) + bytes(14))
    head = (rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6)) +
            rec(0x0042, struct.pack("<H", 1200)) + rec(0x0022, struct.pack("<H", 0)) +
            rec(0x041E, struct.pack("<H", 164) + u16s("dd/mm/yyyy")) +
            xf(0) + xf(164) + xf(14))
    sstrec = rec(0x00FC, struct.pack("<II", len(strings), len(strings)) +
                 b"".join(u16s(s) for s in strings))
    bound_len = sum(len(rec(0x0085, struct.pack("<IBB", 0, 0, 0) + short_u16s(n))) for n in sheets)
    pos = len(head) + bound_len + len(sstrec) + len(rec(0x000A))
    bounds = b""
    for n, s in zip(sheets, streams):
        bounds += rec(0x0085, struct.pack("<IBB", pos, 0, 0) + short_u16s(n))
        pos += len(s)
    wb = head + bounds + sstrec + rec(0x000A) + b"".join(streams)
    size = len(wb)
    if size < 4096:  # kept out of the mini stream
        wb += bytes(4096 - size)
    size = len(wb)
    wb += bytes(-len(wb) % 512)
    nsec = len(wb) // 512
    # compound file: sector 0 the FAT, sector 1 the directory, then the Workbook stream
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [3 + i for i in range(nsec - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    hdr = (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + bytes(16) +
           struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6) +
           struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0) +
           struct.pack("<I", 0) + struct.pack("<I", 0xFFFFFFFF) * 108)
    def entry(name, typ, child, start, size):
        n = (name + "\0").encode("utf-16-le") if name else b""
        return (n + bytes(64 - len(n)) + struct.pack("<HBB", len(n), typ, 1) +
                struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, child) + bytes(16) +
                struct.pack("<IQQIQ", 0, 0, 0, start, size))
    d = (entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry("Workbook", 2, 0xFFFFFFFF, 2, size) +
         entry("", 0, 0xFFFFFFFF, 0, 0) * 2)
    open(out, "wb").write(hdr + struct.pack("<128I", *fat) + d + wb)

out, name1, id1 = sys.argv[1:4]
make(out, [
    (0, 0, "UBND XÃ CHIỀNG AN, HUYỆN MƯỜNG LA"),
    (2, 0, "STT"), (2, 1, "Họ và tên"), (2, 2, "Ngày sinh"), (2, 3, "Số CCCD"), (2, 4, "SĐT"),
    (3, 0, 1), (3, 1, name1), (3, 2, (1, serial(1971, 2, 1))), (3, 3, (0, float(id1))),
    (3, 4, (0, 912000051.0)),
    (4, 0, 2), (4, 1, "Quàng Thị Xê"), (4, 2, (2, serial(1972, 2, 1))), (4, 3, "012172900052"),
], other=[(0, 0, "Họ và tên"), (0, 1, "Ngày sinh"), (0, 2, "Số CCCD"),
          (1, 0, "Không Phải Người"), (1, 1, "01/01/2000"), (1, 2, "001200000009")])
PY
}

make_xls "$WORK/list.xls" "Quàng Văn Xờ" 12071900051
out=$($VAXSITE --db "$DB" --lang vi import "$WORK/list.xls"); rc=$?
equal "an .xls list is imported (vi)" "0" "$rc"
check "the outcome names the .xls workbook ($out)" \
  grep -q '^list.xls (tệp Excel .xls, trang tính đầu tiên): 2 ' <<<"$out"
check "the notice names the sheet's row and the ID with its 0 put back ($out)" \
  grep -q '^list.xls:4: lưu ý: Số CCCD/CMND: đọc là 012071900051' <<<"$out"
equal "the .xls rows stored: the number ID as digits, dates from both date formats, the phone's 0" \
  "012071900051|Quàng Văn Xờ|1971-02-01|0912000051,012172900052|Quàng Thị Xê|1972-02-01|" \
  "$(sql "SELECT group_concat(national_id || '|' || full_name || '|' || birth_date || '|' || ifnull(phone, ''), ',') FROM (SELECT * FROM person WHERE national_id IN ('012071900051','012172900052') ORDER BY national_id)")"
equal "the .xls's second sheet is not read" "0" \
  "$(sql "SELECT count(*) FROM person WHERE national_id = '001200000009'")"
printf '\320\317\021\340\241\261\032\341 cut' >"$WORK/cut.xls"
out=$($VAXSITE --db "$DB" --lang en import "$WORK/cut.xls" 2>&1 >/dev/null); rc=$?
equal "a broken .xls is refused in one line naming it" "1|1|yes" \
  "$rc|$(wc -l <<<"$out")|$(grep -q 'cut.xls: looks like an Excel workbook (.xls)' <<<"$out" && echo yes)"

finish
