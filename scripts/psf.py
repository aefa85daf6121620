"""Reading PC Screen Font files (.psf, .psf.gz), versions 1 and 2, as the Linux console
and Debian's console-setup ship them. Used by scripts/psf2c, which compiles a font into
the kernel, and by tests/scenarios/screen.py, which reads the text back off a screendump.

PSF1: a 4-byte header (magic 36 04, mode, bytes per glyph); glyphs are 8 pixels wide and
as many rows as bytes; mode bit 0 means 512 glyphs instead of 256, bit 1 or bit 2 that a
Unicode table follows the glyphs: for each glyph, 16-bit little-endian code points ended
by 0xffff, with 0xfffe starting sequences of combining characters (ignored here).
PSF2: a 32-byte header (magic 72 b5 4a 86, version, header size, flags, glyph count, bytes
per glyph, height, width); each row is ceil(width / 8) bytes, the leftmost pixel in the
top bit; flag bit 0 means a Unicode table follows, written as UTF-8 strings, each glyph's
ended by 0xff, with 0xfe starting sequences.
"""
import gzip
import struct

PSF1_MAGIC = b"\x36\x04"
PSF2_MAGIC = b"\x72\xb5\x4a\x86"


class Font:
    """width, height (pixels), row_bytes, glyphs (a list of bytes objects, one per glyph,
    row_bytes * height each) and unicode (code point -> glyph index, {} if no table)."""

    def __init__(self, width, height, glyphs, unicode):
        self.width, self.height, self.glyphs, self.unicode = width, height, glyphs, unicode
        self.row_bytes = (width + 7) // 8

    def glyph_index(self, cp, fallback="?"):
        """The glyph for code point @cp: through the Unicode table, or the code point itself
        for a font without one; the fallback's glyph when the font lacks it."""
        if self.unicode:
            if cp in self.unicode:
                return self.unicode[cp]
            return self.unicode.get(ord(fallback), 0)
        return cp if cp < len(self.glyphs) else ord(fallback)

    def pixel(self, glyph, x, y):
        row = self.glyphs[glyph][y * self.row_bytes:(y + 1) * self.row_bytes]
        return (row[x // 8] >> (7 - x % 8)) & 1


def _psf1(data):
    mode, charsize = data[2], data[3]
    count = 512 if mode & 1 else 256
    end = 4 + count * charsize
    if charsize == 0 or len(data) < end:
        raise ValueError("PSF1: truncated glyph data")
    glyphs = [data[4 + i * charsize:4 + (i + 1) * charsize] for i in range(count)]
    unicode = {}
    if mode & 6:
        pos, glyph, in_seq = end, 0, False
        while glyph < count and pos + 2 <= len(data):
            (v,) = struct.unpack_from("<H", data, pos)
            pos += 2
            if v == 0xffff:
                glyph, in_seq = glyph + 1, False
            elif v == 0xfffe:
                in_seq = True
            elif not in_seq:
                unicode.setdefault(v, glyph)
    return Font(8, charsize, glyphs, unicode)


def _psf2(data):
    if len(data) < 32:
        raise ValueError("PSF2: truncated header")
    _, version, hdrsize, flags, count, charsize, height, width = struct.unpack_from(
        "<4s7I", data, 0)
    row_bytes = (width + 7) // 8
    if version != 0 or charsize != row_bytes * height or not count or not width:
        raise ValueError(f"PSF2: unsupported header (version {version}, {width}x{height}, "
                         f"{charsize} bytes per glyph)")
    end = hdrsize + count * charsize
    if len(data) < end:
        raise ValueError("PSF2: truncated glyph data")
    glyphs = [data[hdrsize + i * charsize:hdrsize + (i + 1) * charsize] for i in range(count)]
    unicode = {}
    if flags & 1:
        pos = end
        for glyph in range(count):
            stop = data.find(b"\xff", pos)
            if stop < 0:
                break
            entry = data[pos:stop].split(b"\xfe")[0]	# single code points, not sequences
            for ch in entry.decode("utf-8", "replace"):
                unicode.setdefault(ord(ch), glyph)
            pos = stop + 1
    return Font(width, height, glyphs, unicode)


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[:2] == PSF1_MAGIC:
        return _psf1(data)
    if data[:4] == PSF2_MAGIC:
        return _psf2(data)
    raise ValueError(f"{path}: not a PSF1 or PSF2 font")
