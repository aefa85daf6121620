/*
 * The cpio "newc" reader (include/fs/cpio.h). An entry is a 110-byte ASCII header (the magic
 * 070701, or 070702 when the check field holds a checksum of the data, then 13 fields of
 * 8 hex digits), the name with its NUL padded so that the data starts on a 4-byte boundary,
 * the data padded to 4 bytes again. The entry named TRAILER!!! ends the archive.
 * Every length comes from the archive, so every one is checked against what is left of the
 * buffer before anything is read through it: the invariant is r->pos <= r->len, and no read
 * goes past r->len. Sums are done in size_t after each part was bounded by the buffer
 * length, so they cannot wrap. docs/fs.md explains the format.
 */
#include <fs/cpio.h>
#include <lib/errno.h>
#include <lib/string.h>

enum cpio_field {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR, F_DEVMINOR,
	F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK, NR_FIELDS
};

void cpio_reader_init(struct cpio_reader *r, const void *buf, size_t len)
{
	*r = (struct cpio_reader){ .buf = buf, .len = len };
}

static int fail(struct cpio_reader *r, size_t offset, const char *why)
{
	r->done = true;
	r->error = why;
	r->error_offset = offset;
	return -EINVAL;
}

/* Eight hex digits at @p into @out; false if any is not a hex digit. */
static bool parse_hex8(const unsigned char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		int d = hex_to_bin(p[i]);

		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return true;
}

/* True if some '/'-separated component of @name is "..". */
static bool has_dotdot(const char *name, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && name[i] != '/')
			continue;
		if (i - start == 2 && name[start] == '.' && name[start + 1] == '.')
			return true;
		start = i + 1;
	}
	return false;
}

static uint32_t checksum(const unsigned char *p, size_t n)
{
	uint32_t sum = 0;

	while (n--)
		sum += *p++;
	return sum;
}

int cpio_next(struct cpio_reader *r, struct cpio_entry *e)
{
	const unsigned char *h = r->buf + r->pos;
	size_t left = r->len - r->pos, name_at, data_at, name_size, end;
	uint32_t f[NR_FIELDS];
	bool crc;

	if (r->done)
		return r->error ? -EINVAL : 0;
	if (left == 0)
		return fail(r, r->pos, "archive ends without a TRAILER!!! entry");
	if (left < CPIO_HEADER_SIZE)
		return fail(r, r->pos, "truncated header");
	if (memcmp(h, "07070", 5) || (h[5] != '1' && h[5] != '2'))
		return fail(r, r->pos, "bad magic (not 070701 or 070702: not a newc archive)");
	crc = h[5] == '2';
	for (int i = 0; i < NR_FIELDS; i++)
		if (!parse_hex8(h + 6 + 8 * i, &f[i]))
			return fail(r, r->pos + 6 + 8 * i, "bad hex digit in a header field");

	name_size = f[F_NAMESIZE];
	name_at = r->pos + CPIO_HEADER_SIZE;
	if (name_size == 0)
		return fail(r, r->pos, "empty name (namesize 0, no room for the NUL)");
	if (name_size > r->len - name_at)
		return fail(r, r->pos, "name runs past the end of the archive");
	if (r->buf[name_at + name_size - 1] != '\0' ||
	    memchr(r->buf + name_at, '\0', name_size - 1))
		return fail(r, name_at, "name is not NUL-terminated at namesize");

	data_at = ALIGN_UP(name_at + name_size, 4);
	if (data_at > r->len && f[F_FILESIZE] == 0)
		data_at = r->len;	/* the last entry's padding may be cut off */
	if (data_at > r->len || f[F_FILESIZE] > r->len - data_at)
		return fail(r, r->pos, "file data runs past the end of the archive");
	end = data_at + f[F_FILESIZE];

	*e = (struct cpio_entry){
		.name = (const char *)r->buf + name_at, .name_len = name_size - 1,
		.data = r->buf + data_at, .size = f[F_FILESIZE],
		.ino = f[F_INO], .mode = f[F_MODE], .uid = f[F_UID], .gid = f[F_GID],
		.nlink = f[F_NLINK], .mtime = f[F_MTIME],
		.dev_major = f[F_DEVMAJOR], .dev_minor = f[F_DEVMINOR],
		.rdev_major = f[F_RDEVMAJOR], .rdev_minor = f[F_RDEVMINOR],
		.offset = r->pos,
	};
	if (strcmp(e->name, CPIO_TRAILER) == 0) {
		r->done = true;
		return 0;
	}
	if (has_dotdot(e->name, e->name_len))
		return fail(r, name_at, "name has a \"..\" component");
	if (crc && checksum(e->data, e->size) != f[F_CHECK])
		return fail(r, r->pos, "data does not match the 070702 checksum");
	/* The padding after the last entry's data may be missing: clamp, the next read fails. */
	r->pos = MIN(ALIGN_UP(end, 4), r->len);
	return 1;
}
