/*
 * Building newc archives in memory for the host tests of fs/cpio.c and fs/initramfs.c:
 * cpio_add appends one entry (header, name, padding, data, padding) as scripts/mkcpio would
 * write it; cpio_finish adds the trailer. Every field of the header can be overridden
 * afterwards through its offset, to make malformed archives.
 */
#ifndef TESTS_HOST_CPIO_BUILD_H
#define TESTS_HOST_CPIO_BUILD_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct cpio_build {
	unsigned char buf[65536];
	size_t len;
};

static inline void cpio_pad(struct cpio_build *b)
{
	while (b->len % 4)
		b->buf[b->len++] = 0;
}

/* Append an entry; returns the offset of its header. @magic: "070701" or "070702". */
static inline size_t cpio_add_magic(struct cpio_build *b, const char *magic, const char *name,
				    uint32_t mode, const void *data, size_t size)
{
	size_t at = b->len, namesize = strlen(name) + 1;
	uint32_t check = 0;
	char hdr[111];

	if (strcmp(magic, "070702") == 0)
		for (size_t i = 0; i < size; i++)
			check += ((const unsigned char *)data)[i];
	snprintf(hdr, sizeof(hdr), "%s%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x",
		 magic, (unsigned int)(at / 4 + 1), mode, 0u, 0u, 1u, 0u, size, 0u, 0u, 0u, 0u,
		 namesize, check);
	memcpy(b->buf + b->len, hdr, 110);
	b->len += 110;
	memcpy(b->buf + b->len, name, namesize);
	b->len += namesize;
	cpio_pad(b);
	if (size)
		memcpy(b->buf + b->len, data, size);
	b->len += size;
	cpio_pad(b);
	return at;
}

static inline size_t cpio_add(struct cpio_build *b, const char *name, uint32_t mode,
			      const void *data, size_t size)
{
	return cpio_add_magic(b, "070701", name, mode, data, size);
}

static inline size_t cpio_finish(struct cpio_build *b)
{
	return cpio_add(b, "TRAILER!!!", 0, NULL, 0);
}

/* Overwrite header field @field (0 = ino ... 11 = namesize, 12 = check) of the entry at @at. */
static inline void cpio_set_field(struct cpio_build *b, size_t at, int field, const char *hex8)
{
	memcpy(b->buf + at + 6 + 8 * field, hex8, 8);
}

#endif
