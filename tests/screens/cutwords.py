#!/usr/bin/env python3
"""cutwords.py ROOT SCREEN.txt...: prints every word that a screen shows cut short.

Text that does not fit must be wrapped, scrolled or end with "…", never stop in the middle of a
word. A word on a screen (letters only, 2 or more) that is not itself a known word but is the
beginning of one is cut. Known words are those of the message catalogues (msgid and msgstr),
the data files, the demo names and the string literals of the code (labels that are chosen by
language in code, not through the catalogues). A word that touches a box-drawing character was covered by a
dialog drawn over it, which is how dialogs look, not a cut."""
import glob
import os
import re
import sys

root = sys.argv[1]
sources = (glob.glob(os.path.join(root, "assets/po/*.po")) + glob.glob(os.path.join(root, "assets/*.conf"))
           + glob.glob(os.path.join(root, "assets/*.tsv")) + glob.glob(os.path.join(root, "assets/screening/*.conf")))
code = glob.glob(os.path.join(root, "core/*.c")) + glob.glob(os.path.join(root, "tui/*.c"))
WORD = re.compile(r"[^\W\d_]+")
BOX = set("─│┌┐└┘├┤┬┴┼═║╔╗╚╝▲▼")

known = set()
for path in sources:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".po"):
        # only the strings, not the comments (file names, flags)
        text = "\n".join(m.group(1) for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', text))
        text = text.replace("\\n", " ")
    known.update(w.lower() for w in WORD.findall(text))
STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
for path in code:
    with open(path, encoding="utf-8", errors="replace") as f:
        known.update(w.lower() for m in STRING.finditer(f.read()) for w in WORD.findall(m.group(1)))
prefixes = {w[:i] for w in known for i in range(2, len(w))}

bad = []
for screen in sys.argv[2:]:
    with open(screen, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for row, line in enumerate(lines, 1):
        for m in WORD.finditer(line):
            w = m.group(0).lower()
            if len(w) < 2 or w in known or w not in prefixes:
                continue
            before = line[m.start() - 1] if m.start() > 0 else " "
            after = line[m.end()] if m.end() < len(line) else " "
            if before in BOX or after in BOX:
                continue
            if after == "…":  # cut on purpose, and said so
                continue
            bad.append(f"{os.path.basename(screen)}:{row}: \"{m.group(0)}\" is cut: {line.strip()}")
print("\n".join(bad))
