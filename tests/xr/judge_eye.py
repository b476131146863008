#!/usr/bin/env python3
"""Judges the left eye's view saved by the VR smoke run: exit 0 only when the scene was
drawn. A black, blank or nearly uniform image (nothing rendered, a cleared target, a
lost camera) fails, and so does one without the customer's room in it.

Standard library only (zlib), so CI needs nothing more: decodes 8-bit RGB or RGBA PNGs.
Usage: judge_eye.py IMAGE.png
       judge_eye.py --self-test   (proves a black and a flat image fail; smoke.sh runs it)
"""
import struct
import sys
import zlib


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour}, interlace {interlace})")
    bpp = 4 if colour == 6 else 3
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def write_flat_png(path, width, height, rgb):
    """A one-colour RGB image, as a renderer that drew nothing would leave."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def self_test():
    import os
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        for name, rgb in (("black", (0, 0, 0)), ("flat", (90, 110, 130))):
            path = os.path.join(scratch, f"{name}.png")
            write_flat_png(path, 320, 240, rgb)
            run = subprocess.run([sys.executable, __file__, path], capture_output=True, text=True)
            if run.returncode == 0:
                sys.exit(f"judge_eye self-test FAILED: a {name} image passed")
    print("judge_eye: a black and a flat image both fail, as they must")


def main():
    if sys.argv[1] == "--self-test":
        self_test()
        return
    path = sys.argv[1]
    width, height, bpp, rows = read_png(path)
    colours, total, n = set(), 0, 0
    # Every fourth pixel is plenty to judge a whole frame.
    for y in range(0, height, 4):
        row = rows[y]
        for x in range(0, width, 4):
            r, g, b = row[x * bpp], row[x * bpp + 1], row[x * bpp + 2]
            colours.add((r >> 3, g >> 3, b >> 3))
            total += r + g + b
            n += 1
    brightness = total / (3 * n)
    print(f"left eye: {width}x{height}, mean brightness {brightness:.1f}, {len(colours)} distinct colours")
    if brightness < 8:
        sys.exit(f"left eye FAILED: the view is black (mean brightness {brightness:.1f})")
    # The lit room, the customer and the panel's text give hundreds of shades; a cleared
    # target or a flat fill gives a handful.
    if len(colours) < 40:
        sys.exit(f"left eye FAILED: the view is nearly uniform ({len(colours)} colours): nothing was drawn")


if __name__ == "__main__":
    main()
