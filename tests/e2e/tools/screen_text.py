#!/usr/bin/env python3
"""Reads text back from terminal screens (as tmux capture-pane prints them) to check that clinical
text is shown whole: not cut at the edge of a box, not split in the middle of a word.

usage:
  screen_text.py missing CAPTURES DATA [TITLE]
      CAPTURES: screens separated by form feeds (one per scroll position); DATA: the lines the
      program must show, one per line. With TITLE, only the inside of the box whose top border
      holds TITLE is read; without, the whole screen. In each screen the rows are joined with
      spaces (a wrapped line becomes one line again). Prints every data line that no screen holds
      whole; exit status 1 if there is one.
  screen_text.py unwrapped CAPTURES DATA
      Prints every data line that no single screen row holds whole (at a wide screen nothing
      needs to wrap); exit status 1 if there is one.
"""
import re
import sys

FORM_FEED = '\f'


def squeeze(text):
    return re.sub(r'\s+', ' ', text).strip()


def box_rows(lines, title):
    """The rows inside the box whose top border line holds title (the border columns cut off)."""
    for top, line in enumerate(lines):
        if title in line and '┌' in line and '┐' in line:
            left, right = line.index('┌'), line.rindex('┐')
            rows = []
            for below in lines[top + 1:]:
                if len(below) > left and below[left] == '└':
                    break
                rows.append(below[left + 1:right])
            return rows
    return []


def screens(path, title):
    with open(path, encoding='utf-8') as f:
        shots = f.read().split(FORM_FEED)
    for shot in shots:
        lines = shot.split('\n')
        yield box_rows(lines, title) if title else lines


def data_lines(path):
    with open(path, encoding='utf-8') as f:
        return [squeeze(l) for l in f if l.strip()]


def missing(captures, data, title=None):
    joined = [squeeze(' '.join(r.strip() for r in rows)) for rows in screens(captures, title)]
    return [d for d in data_lines(data) if not any(d in j for j in joined)]


def unwrapped(captures, data):
    rows = [squeeze(r) for shot in screens(captures, None) for r in shot]
    return [d for d in data_lines(data) if not any(d in r for r in rows)]


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == 'missing':
        lost = missing(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
    elif len(sys.argv) == 4 and sys.argv[1] == 'unwrapped':
        lost = unwrapped(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
    for line in lost:
        print(line)
    sys.exit(1 if lost else 0)


if __name__ == '__main__':
    main()
