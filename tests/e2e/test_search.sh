#!/bin/bash
# person find with a birth year or date typed among the name words: namesakes told apart.
. "$(dirname "$0")/lib.sh"

V() { $VAXSITE --db "$DB" --lang en "$@"; }

echo 2468 | V staff add --login hoa --name "Nguyễn Thị Hoa" --role manager >/dev/null
# three women called Nguyễn Thị Hương, and a Bùi Thị Trang
V person add --name "Nguyễn Thị Hương" --id 001160000001 --dob 14/12/1960 --sex f >/dev/null
V person add --name "Nguyễn Thị Hương" --id 001154000002 --dob 14/12/1954 --sex f >/dev/null
V person add --name "Nguyễn Thị Hương" --id 001175000003 --dob 02/05/1975 --sex f >/dev/null
V person add --name "Bùi Thị Trang" --id 001154000004 --dob 14/12/1954 --sex f >/dev/null
V person add --name "Lê Văn Hương" --id 195400005 --dob 01/01/1980 --sex m >/dev/null
equal "five people registered" "5" "$(sql "SELECT count(*) FROM person")"

equal "find 'huong' alone lists the four called Hương" "4" "$(V person find huong | wc -l)"
equal "find 'huong 1954' selects the one born in 1954" \
  "$(printf '001154000002\tNguyễn Thị Hương\t14/12/1954')" "$(V person find "huong 1954")"
equal "the year may come first and the name carry its marks" "001154000002" \
  "$(V person find "1954 Hương" | cut -f1)"
equal "'bui trang 14/12' finds Bùi Thị Trang by day and month" "001154000004" \
  "$(V person find "bui trang 14/12" | cut -f1)"
equal "'hương 12/1954' finds the Hương born in December 1954" "001154000002" \
  "$(V person find "hương 12/1954" | cut -f1)"
equal "'huong 14/12' finds the two Hương born on 14 December" \
  "$(printf '001154000002\n001160000001')" "$(V person find "huong 14/12" | cut -f1 | sort)"
equal "'huong 14121954' is the full date" "001154000002" "$(V person find "huong 14121954" | cut -f1)"
equal "'huong 1990' finds nobody (no Hương born then)" "" "$(V person find "huong 1990")"
equal "digits alone stay an ID prefix: '1954' finds the CMND 195400005" "195400005" \
  "$(V person find 1954 | cut -f1)"
finish
