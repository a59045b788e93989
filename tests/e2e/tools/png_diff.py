#!/usr/bin/env python3
"""png_diff.py: compares two PNG pictures pixel by pixel, with the standard library only.

Usage: png_diff.py GOLDEN ACTUAL [--level N] [--share PERCENT]

A pixel differs when one of its channels (R, G, B) differs by more than N (0-255, default 48):
anti-aliasing that a font library renders a shade lighter moves edges by less than that, a
glyph that is there or not moves them by up to 255. The pictures agree when they have the same
size and at most PERCENT of their pixels differ (default 0.01 %, 141 pixels of a 1000x1410 card:
one digit of the card's ID changed, 4 to 5, is 250 pixels; the margin 2 pixels wider, 9.8 %). Prints one line: size, differing pixels, their share and where
they are (x0,y0-x1,y1); exits 0 if they agree, 1 if not, 2 if a file cannot be read.
"""
import struct
import sys
import zlib


def read_png(path):
    """(width, height, rows) with rows a list of bytes objects of RGB triples."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, head = 8, [], None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if head is None:
        raise ValueError(f"{path}: no IHDR")
    w, h, depth, colour, _, _, interlace = head
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"{path}: only 8-bit grey, RGB or RGBA, not interlaced (depth {depth}, colour {colour})")
    raw = zlib.decompress(b"".join(idat))
    stride = w * channels
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        bpp = channels
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif ftype == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 255
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        elif ftype != 0:
            raise ValueError(f"{path}: bad filter {ftype} on row {y}")
        prev = line
        if channels == 3:
            rows.append(bytes(line))
        else:
            rgb = bytearray()
            for x in range(w):
                px = line[x * channels : (x + 1) * channels]
                rgb += bytes((px[0], px[0], px[0])) if channels <= 2 else bytes(px[:3])
            rows.append(bytes(rgb))
    return w, h, rows


def main(argv):
    args, level, share = [], 48, 0.01
    i = 1
    while i < len(argv):
        if argv[i] == "--level":
            level, i = int(argv[i + 1]), i + 2
        elif argv[i] == "--share":
            share, i = float(argv[i + 1]), i + 2
        else:
            args.append(argv[i])
            i += 1
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        gw, gh, grows = read_png(args[0])
        aw, ah, arows = read_png(args[1])
    except (OSError, ValueError, zlib.error) as e:
        print(f"png_diff: {e}")
        return 2
    if (gw, gh) != (aw, ah):
        print(f"size {aw}x{ah}, the golden one is {gw}x{gh}")
        return 1
    bad, x0, y0, x1, y1 = 0, gw, gh, -1, -1
    for y in range(gh):
        g, a = grows[y], arows[y]
        if g == a:
            continue
        for x in range(gw):
            k = 3 * x
            if (abs(g[k] - a[k]) > level or abs(g[k + 1] - a[k + 1]) > level
                    or abs(g[k + 2] - a[k + 2]) > level):
                bad += 1
                x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
    pct = 100.0 * bad / (gw * gh)
    where = f" at {x0},{y0}-{x1},{y1}" if bad else ""
    print(f"{gw}x{gh}: {bad} pixels differ by more than {level} ({pct:.4f} %, at most {share} %){where}")
    return 0 if pct <= share else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
