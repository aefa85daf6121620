"""Reading the screen of a QEMU boot: screendumps, the text on them, PNG artifacts, and
typing on the PS/2 keyboard through the monitor. Used by screen_scenarios.py.

QEMU's monitor command `screendump FILE` writes what the display shows as a binary PPM
(P6), even under -display none. For the framebuffer console, read_text() gets the text
back: the kernel draws with the font the build compiled in (the Makefile's FONT, read here
with scripts/psf.py), cells of font.width x font.height pixels from the top-left corner,
so each cell's pixels, split into foreground (brighter than the background) and
background, must equal one glyph's bitmap. Colours do not matter. A cell that matches no
glyph exactly gets the nearest (fewest differing pixels; the cursor's underline costs a
few) if that is close, else '?'. In VGA text mode QEMU draws with its own VGA font, so
there the tests only count lit pixels (lit_rows).
"""
import os
import struct
import sys
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts"))
import psf  # noqa: E402

FONT = os.environ.get("FONT", "/usr/share/consolefonts/Lat15-Terminus16.psf.gz")


class Image:
    def __init__(self, width, height, rgb):
        self.width, self.height, self.rgb = width, height, rgb	# rgb: bytes, 3 per pixel

    def lit(self, threshold=96):
        """One byte per pixel: 1 where the brightest channel is above @threshold."""
        rgb = self.rgb
        # max of three channels, vectorised through bytes.translate on each channel
        r, g, b = rgb[0::3], rgb[1::3], rgb[2::3]
        table = bytes(1 if v > threshold else 0 for v in range(256))
        r, g, b = r.translate(table), g.translate(table), b.translate(table)
        return bytes(x | y | z for x, y, z in zip(r, g, b))


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:	# magic, width, height, maxval; '#' comments allowed
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError(f"{path}: not an 8-bit binary PPM")
    w, h = int(fields[1]), int(fields[2])
    rgb = data[pos + 1:pos + 1 + 3 * w * h]
    if len(rgb) != 3 * w * h:
        raise ValueError(f"{path}: truncated")
    return Image(w, h, rgb)


def write_png(path, img):
    """An 8-bit RGB PNG: signature, IHDR, one IDAT (zlib of filter byte 0 + row), IEND."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))
    stride = 3 * img.width
    raw = b"".join(b"\0" + img.rgb[y * stride:(y + 1) * stride] for y in range(img.height))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", img.width, img.height, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))


_font_cache = {}


def _glyph_table(path=FONT):
    """(font, {cell bitmap as bytes: char}) for printable ASCII and Latin-1."""
    if path not in _font_cache:
        font = psf.load(path)
        table = {}
        for cp in list(range(0x20, 0x7f)) + list(range(0xa1, 0x100)):
            g = font.glyph_index(cp)
            bitmap = bytes(font.pixel(g, x, y) for y in range(font.height)
                           for x in range(font.width))
            table.setdefault(bitmap, chr(cp))
        _font_cache[path] = (font, table)
    return _font_cache[path]


def read_text(img, font_path=FONT, max_diff=20, cell_width=None):
    """The screen's text as a list of lines (trailing spaces removed). Cells are
    @cell_width pixels wide (the font's width by default; QEMU's VGA text mode uses 9, the
    ninth column a gap), the glyph in the cell's left font.width columns."""
    font, table = _glyph_table(font_path)
    lit = img.lit()
    fw, ch = font.width, font.height
    cw = cell_width or fw
    cols, rows = img.width // cw, img.height // ch
    lines = []
    for row in range(rows):
        chars = []
        for col in range(cols):
            bitmap = b"".join(lit[(row * ch + y) * img.width + col * cw:
                                  (row * ch + y) * img.width + col * cw + fw]
                              for y in range(ch))
            c = table.get(bitmap)
            if c is None:
                best, c = max_diff + 1, "?"
                for bm, cand in table.items():
                    d = sum(a != b for a, b in zip(bm, bitmap))
                    if d < best:
                        best, c = d, cand
            chars.append(c)
        lines.append("".join(chars).rstrip())
    return lines


def lit_rows(img, row_height=16):
    """Lit pixels in each band of @row_height pixel rows (VGA text: 720x400, 16-pixel rows)."""
    lit = img.lit()
    w = img.width
    return [sum(lit[y * row_height * w:(y + 1) * row_height * w])
            for y in range(img.height // row_height)]


def screendump(m, path):
    """Take a screendump of machine @m into @path (PPM) and read it."""
    if os.path.exists(path):
        os.remove(path)
    out = m.monitor(f"screendump {path}")
    if not os.path.exists(path):
        raise RuntimeError(f"screendump failed: {out.strip()}")
    return read_ppm(path)


def settled_screendump(m, path, timeout=10):
    """A screendump once the screen stopped changing: the framebuffer console draws up to
    10 ms after the serial port has the same text (drivers/video/fbcon.c defers it), so two
    dumps 50 ms apart must agree."""
    end = time.monotonic() + timeout
    img = screendump(m, path)
    while time.monotonic() < end:
        time.sleep(0.05)
        again = screendump(m, path)
        if again.rgb == img.rgb:
            break
        img = again
    return img


# QEMU's sendkey names for characters that are not themselves.
_KEYS = {" ": "spc", "-": "minus", ".": "dot", "\n": "ret", "/": "slash", "=": "equal",
         ",": "comma", ";": "semicolon", "'": "apostrophe", "_": "shift-minus",
         ":": "shift-semicolon", "\t": "tab"}


def key_names(text):
    """The sendkey names that type @text: a-z and 0-9 as themselves, shift- for capitals."""
    names = []
    for c in text:
        if c in _KEYS:
            names.append(_KEYS[c])
        elif c.isascii() and (c.islower() or c.isdigit()):
            names.append(c)
        elif c.isascii() and c.isupper():
            names.append("shift-" + c.lower())
        else:
            raise ValueError(f"no key for {c!r}")
    return names


def type_keys(m, text):
    """Type @text on the guest's PS/2 keyboard (QEMU's monitor sendkey), "\\n" for Enter."""
    for name in key_names(text):
        m.monitor(f"sendkey {name}")
