/*
 * A reader of cpio archives in the "newc" format (fs/cpio.c), the format of Linux's initramfs.
 * It only parses: it never allocates and never writes, so it builds unchanged for the host,
 * where it is unit-tested and fuzzed. docs/fs.md describes the format.
 *
 *	struct cpio_reader r;
 *	struct cpio_entry e;
 *	int ret;
 *
 *	cpio_reader_init(&r, buf, len);
 *	while ((ret = cpio_next(&r, &e)) > 0)
 *		use(e.name, e.mode, e.data, e.size);
 *	if (ret < 0)
 *		pr_err("bad archive at offset %zu: %s\n", r.error_offset, r.error);
 */
#ifndef FS_CPIO_H
#define FS_CPIO_H

#include <kernel/compiler.h>

#define CPIO_HEADER_SIZE	110	/* 6 bytes of magic, 13 fields of 8 hex digits */
#define CPIO_TRAILER		"TRAILER!!!"

struct cpio_entry {
	const char *name;	/* NUL-terminated, inside the archive, as stored ("etc/motd") */
	size_t name_len;	/* without the NUL */
	const void *data;	/* inside the archive; a symlink's data is its target */
	size_t size;		/* bytes of data */
	uint32_t ino, mode, uid, gid, nlink, mtime;
	uint32_t dev_major, dev_minor, rdev_major, rdev_minor;
	size_t offset;		/* of the entry's header in the archive */
};

struct cpio_reader {
	const unsigned char *buf;
	size_t len;
	size_t pos;		/* the next header's offset */
	bool done;		/* the trailer was read, or an error stopped the reader */
	const char *error;	/* why cpio_next failed: a static string */
	size_t error_offset;	/* where: the offset of the bad header or field */
};

void cpio_reader_init(struct cpio_reader *r, const void *buf, size_t len);

/*
 * Read the next entry into @e. Returns 1 for an entry, 0 at the trailer ("TRAILER!!!"; the
 * bytes after it are not looked at) and -EINVAL for a malformed archive, with r->error and
 * r->error_offset saying why and where. After 0 or an error it keeps returning the same.
 * Every entry returned lies wholly inside the buffer; its name has no ".." component.
 */
int cpio_next(struct cpio_reader *r, struct cpio_entry *e);

#endif
