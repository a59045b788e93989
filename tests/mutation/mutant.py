"""mutant.py LIST N file|what|apply: one mutant of the list (see run.sh): its file, what it
does, or applied to its file (exit 1 when its text is not found exactly once)."""
import sys

path, n, action = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = [l.rstrip("\n").split("\t") for l in open(path, encoding="utf-8")
        if l.strip() and not l.startswith("#")]
file, text, repl, what = rows[n - 1]
if action == "file":
    print(file)
elif action == "what":
    print(what)
else:
    text, repl = text.replace("\\n", "\n"), repl.replace("\\n", "\n")
    src = open(file, encoding="utf-8").read()
    if src.count(text) != 1:
        sys.exit(1)
    open(file, "w", encoding="utf-8").write(src.replace(text, repl))
