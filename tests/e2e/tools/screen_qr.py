#!/usr/bin/env python3
"""Turns a QR drawn on a terminal with half blocks (as tmux capture-pane prints it) into a PNG, so
that a QR reader can check that the screen really shows a scannable code.

usage: screen_qr.py SCREEN.txt OUT.png
The block characters are read as dark modules (the station draws dark on a light ground)."""
import struct
import sys
import zlib

TOP, BOTTOM, FULL = '\u2580', '\u2584', '\u2588'


def modules(lines):
    rows = [l for l in lines if any(c in l for c in (TOP, BOTTOM, FULL))]
    if not rows:
        sys.exit('no QR on the screen')
    left = min(min(l.find(c) for c in (TOP, BOTTOM, FULL) if c in l) for l in rows)
    width = max(len(l.rstrip()) for l in rows) - left
    grid = []
    for l in rows:
        l = l[left:left + width].ljust(width)
        top = [c in (TOP, FULL) for c in l]
        bottom = [c in (BOTTOM, FULL) for c in l]
        grid += [top, bottom]
    return grid


def png(grid, path, scale=6, quiet=4):
    h, w = len(grid), len(grid[0])
    W, H = (w + 2 * quiet) * scale, (h + 2 * quiet) * scale
    raw = bytearray()
    for y in range(H):
        raw.append(0)
        gy = y // scale - quiet
        for x in range(W):
            gx = x // scale - quiet
            dark = 0 <= gy < h and 0 <= gx < w and grid[gy][gx]
            raw.append(0 if dark else 255)

    def chunk(kind, data):
        c = kind + data
        return struct.pack('>I', len(data)) + c + struct.pack('>I', zlib.crc32(c) & 0xffffffff)

    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n')
        f.write(chunk(b'IHDR', struct.pack('>IIBBBBB', W, H, 8, 0, 0, 0, 0)))
        f.write(chunk(b'IDAT', zlib.compress(bytes(raw), 9)))
        f.write(chunk(b'IEND', b''))


if __name__ == '__main__':
    png(modules(open(sys.argv[1], encoding='utf-8').read().splitlines()), sys.argv[2])
