#!/usr/bin/env python3
"""Counts passed and failed test cases in meson's JSON test logs.

A TAP test counts each of its "ok" / "not ok" lines; a test that failed without saying
"not ok" (a crash, a sanitizer abort, a timeout) counts one more failure, so nothing is lost.
Prints "PASSED FAILED" and, on stderr, the name of every failure."""
import json
import re
import sys

passed = failed = 0
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding='utf-8', errors='replace').read().splitlines()
    except OSError as e:
        print(f'cannot read {path}: {e}', file=sys.stderr)
        failed += 1
        continue
    for line in lines:
        if not line.strip():
            continue
        t = json.loads(line)
        out = t.get('stdout') or ''
        oks = re.findall(r'^ok \d+', out, re.M)
        bad = re.findall(r'^not ok \d+.*$', out, re.M)
        if oks or bad:
            passed += len(oks)
            failed += len(bad)
            for b in bad:
                print(f'FAILED {t["name"]}: {b}', file=sys.stderr)
            if t['result'] not in ('OK', 'EXPECTEDFAIL') and not bad:
                failed += 1
                print(f'FAILED {t["name"]}: {t["result"]}', file=sys.stderr)
        elif t['result'] in ('OK', 'EXPECTEDFAIL'):
            passed += 1
        else:
            failed += 1
            print(f'FAILED {t["name"]}: {t["result"]}', file=sys.stderr)
print(passed, failed)
