/*
 * A bitmap font compiled into the kernel: the console font, converted at build time from a
 * PC Screen Font file of Debian's console-setup-linux package by scripts/psf2c into
 * $(B)/console_font.c. A glyph is height rows of row_bytes bytes, the leftmost pixel in the
 * top bit of a row's first byte. The console writes bytes taken as Latin-1 code points;
 * latin1[] gives each one's glyph (the font's '?' where it has none). docs/console.md.
 */
#ifndef DRIVERS_FONT_H
#define DRIVERS_FONT_H

#include <kernel/compiler.h>

struct font_desc {
	const char *name;		/* the file it came from, without .psf.gz */
	unsigned int width, height;	/* pixels of one glyph */
	unsigned int row_bytes;		/* (width + 7) / 8 */
	unsigned int count;		/* glyphs in data */
	const uint8_t *data;		/* count * row_bytes * height bytes */
	const uint16_t *latin1;		/* 256 entries: the glyph of code point 0..255 */
};

extern const struct font_desc console_font;

static inline const uint8_t *font_glyph(const struct font_desc *f, uint8_t ch)
{
	return f->data + (size_t)f->latin1[ch] * f->row_bytes * f->height;
}

#endif
