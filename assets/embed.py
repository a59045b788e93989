#!/usr/bin/env python3
"""Turns asset files into a C source of NUL-terminated byte arrays, so the binary carries its data."""
import sys, re, os

# argv: embed.py ASSET... OUTPUT (meson passes @INPUT@ then @OUTPUT@; the first input is us)
inputs = [p for p in sys.argv[1:-1] if not p.endswith('embed.py')]
out = sys.argv[-1]
with open(out, 'w', encoding='ascii') as f:
    f.write('/* Generated from assets/ at build time. */\n#include <stddef.h>\n')
    for path in inputs:
        name = 'vax_asset_' + re.sub(r'[^A-Za-z0-9]', '_', os.path.basename(path))
        data = open(path, 'rb').read()
        f.write('const char %s[] = {\n' % name)
        for i in range(0, len(data), 16):
            f.write(''.join('%d,' % b for b in data[i:i + 16]) + '\n')
        f.write('0};\nconst size_t %s_len = %d;\n' % (name, len(data)))
