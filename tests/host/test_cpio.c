/*
 * Host tests of the newc reader (fs/cpio.c): well-formed archives read back entry by entry
 * with their names, modes and exact data; both magics, the 070702 checksum, and the padding
 * rules; and every kind of malformed archive refused with its reason and offset: bad magic,
 * bad hex, a name without its NUL, sizes past the end, "..", a missing trailer. Each input
 * is copied to a heap block of exactly its length, so AddressSanitizer catches any read
 * past the end; every truncation of a good archive is tried.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <fs/cpio.h>
#include <lib/errno.h>

#include "cpio_build.h"

static struct cpio_build b;

static void reset(void)
{
	memset(&b, 0, sizeof(b));
}

TestSuite(cpio, .init = reset);

/* Read the whole archive from an exact-size heap copy; returns the last cpio_next result. */
static int read_all(const void *buf, size_t len, struct cpio_entry *entries, int max, int *n,
		    struct cpio_reader *out)
{
	unsigned char *copy = malloc(len ? len : 1);
	struct cpio_reader r;
	struct cpio_entry e;
	int ret;

	memcpy(copy, buf, len);
	cpio_reader_init(&r, copy, len);
	*n = 0;
	while ((ret = cpio_next(&r, &e)) > 0) {
		cr_assert((const unsigned char *)e.data >= copy);
		cr_assert((const unsigned char *)e.data + e.size <= copy + len);
		cr_assert((const unsigned char *)e.name + e.name_len < copy + len);
		if (*n < max) {
			entries[*n] = e;
			/* The pointers die with the copy: keep the name and data by value. */
			entries[*n].name = strdup(e.name);
			entries[*n].data = memcpy(malloc(e.size + 1), e.data, e.size);
		}
		(*n)++;
	}
	cr_assert_eq(cpio_next(&r, &e), ret, "the same answer again after the end");
	if (out)
		*out = r;
	free(copy);
	return ret;
}

Test(cpio, reads_entries_with_exact_data)
{
	struct cpio_entry e[8];
	int n;

	cpio_add(&b, ".", 040755, NULL, 0);
	cpio_add(&b, "etc", 040755, NULL, 0);
	cpio_add(&b, "etc/motd", 0100644, "hello\n", 6);
	cpio_add(&b, "etc/a", 0100600, "abc", 3);	/* data needing padding */
	cpio_add(&b, "empty", 0100644, NULL, 0);
	cpio_add(&b, "link", 0120777, "etc/motd", 8);
	cpio_finish(&b);
	cr_assert_eq(read_all(b.buf, b.len, e, 8, &n, NULL), 0);
	cr_assert_eq(n, 6);
	cr_assert_str_eq(e[0].name, ".");
	cr_assert_str_eq(e[2].name, "etc/motd");
	cr_assert_eq(e[2].name_len, 8);
	cr_assert_eq(e[2].mode, 0100644);
	cr_assert_eq(e[2].size, 6);
	cr_assert_eq(memcmp(e[2].data, "hello\n", 6), 0);
	cr_assert_eq(e[3].size, 3);
	cr_assert_eq(memcmp(e[3].data, "abc", 3), 0);
	cr_assert_eq(e[4].size, 0);
	cr_assert_eq(e[5].mode, 0120777);
	cr_assert_eq(memcmp(e[5].data, "etc/motd", 8), 0);
	cr_assert_eq(e[2].offset % 4, 0);
	for (int i = 0; i < n; i++) {
		free((void *)e[i].name);
		free((void *)e[i].data);
	}
}

Test(cpio, bytes_after_the_trailer_are_ignored)
{
	int n;

	cpio_add(&b, "a", 0100644, "x", 1);
	cpio_finish(&b);
	memset(b.buf + b.len, 0xff, 100);	/* padding or garbage after TRAILER!!! */
	cr_assert_eq(read_all(b.buf, b.len + 100, NULL, 0, &n, NULL), 0);
	cr_assert_eq(n, 1);
}

Test(cpio, checksum_magic_070702)
{
	struct cpio_reader r;
	size_t at;
	int n;

	at = cpio_add_magic(&b, "070702", "a", 0100644, "hello", 5);
	cpio_finish(&b);
	cr_assert_eq(read_all(b.buf, b.len, NULL, 0, &n, NULL), 0);
	cr_assert_eq(n, 1);
	cpio_set_field(&b, at, 12, "00000000");
	cr_assert_eq(read_all(b.buf, b.len, NULL, 0, &n, &r), -EINVAL);
	cr_assert_eq(n, 0);
	cr_assert(strstr(r.error, "checksum"), "%s", r.error);
	cr_assert_eq(r.error_offset, at);
}

/* A one-entry archive changed by @mangle must be refused with @reason at @offset. */
static void expect_refused(const char *reason, size_t offset, size_t len)
{
	struct cpio_reader r;
	int n;

	cr_assert_eq(read_all(b.buf, len, NULL, 0, &n, &r), -EINVAL);
	cr_assert(r.error && strstr(r.error, reason), "error \"%s\", expected \"%s\"",
		  r.error ? r.error : "(null)", reason);
	cr_assert_eq(r.error_offset, offset, "offset %zu, expected %zu", r.error_offset, offset);
}

Test(cpio, refuses_bad_magic)
{
	size_t at;

	cpio_add(&b, "a", 0100644, "x", 1);
	at = cpio_finish(&b);
	memcpy(b.buf + at, "070707", 6);	/* the old binary-compatible odc magic */
	expect_refused("bad magic", at, b.len);
	memcpy(b.buf, "\x71\xc7", 2);		/* a binary cpio archive */
	expect_refused("bad magic", 0, b.len);
}

Test(cpio, refuses_bad_hex)
{
	cpio_add(&b, "a", 0100644, "x", 1);
	cpio_finish(&b);
	b.buf[6 + 8 * 6 + 3] = 'g';		/* filesize */
	expect_refused("bad hex", 6 + 8 * 6, b.len);
	b.buf[6 + 8 * 6 + 3] = ' ';
	expect_refused("bad hex", 6 + 8 * 6, b.len);
}

Test(cpio, refuses_names_without_nul)
{
	size_t at = cpio_add(&b, "abc", 0100644, NULL, 0);

	cpio_finish(&b);
	cpio_set_field(&b, at, 11, "00000003");	/* "abc" without its NUL */
	expect_refused("NUL", 110, b.len);
	cpio_set_field(&b, at, 11, "00000000");
	expect_refused("namesize 0", 0, b.len);
	cpio_set_field(&b, at, 11, "00000004");
	b.buf[111] = '\0';			/* "a\0c\0": a NUL inside the name */
	expect_refused("NUL", 110, b.len);
}

Test(cpio, refuses_sizes_past_the_end)
{
	size_t at = cpio_add(&b, "a", 0100644, "xyz", 3);

	cpio_finish(&b);
	cpio_set_field(&b, at, 6, "00001000");
	expect_refused("past the end", 0, b.len);
	cpio_set_field(&b, at, 6, "ffffffff");
	expect_refused("past the end", 0, b.len);
	cpio_set_field(&b, at, 6, "00000003");
	cpio_set_field(&b, at, 11, "ffffffff");
	expect_refused("past the end", 0, b.len);
}

Test(cpio, refuses_dotdot_components)
{
	const char *bad[] = { "..", "../etc", "etc/..", "a/../b", "/..", "a//../b" };
	const char *good[] = { "...", "..a", "a..", "a/..b", "./a", ".", "a/." };
	int n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reset();
		cpio_add(&b, bad[i], 0100644, NULL, 0);
		cpio_finish(&b);
		expect_refused("\"..\"", 110, b.len);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		reset();
		cpio_add(&b, good[i], 0100644, NULL, 0);
		cpio_finish(&b);
		cr_assert_eq(read_all(b.buf, b.len, NULL, 0, &n, NULL), 0, "%s", good[i]);
	}
}

Test(cpio, refuses_a_missing_trailer)
{
	size_t at;

	cpio_add(&b, "a", 0100644, "x", 1);
	at = b.len;
	expect_refused("TRAILER", at, at);
	expect_refused("truncated header", at, at + 5);
	cr_assert_eq(read_all(b.buf, 0, NULL, 0, &(int){ 0 }, NULL), -EINVAL, "empty input");
}

/* Every prefix of a good archive is refused (never read out of bounds: ASan watches). */
Test(cpio, every_truncation_is_refused)
{
	size_t full;
	int n;

	cpio_add(&b, "dir", 040755, NULL, 0);
	cpio_add(&b, "dir/file", 0100644, "0123456789", 10);
	cpio_add_magic(&b, "070702", "dir/sum", 0100644, "abcde", 5);
	full = cpio_finish(&b) + 110 + 11;	/* the trailer without its final padding */
	for (size_t len = 0; len < full; len++)
		cr_assert_eq(read_all(b.buf, len, NULL, 0, &n, NULL), -EINVAL, "length %zu", len);
	cr_assert_eq(read_all(b.buf, full, NULL, 0, &n, NULL), 0);
	cr_assert_eq(n, 3);
}

/* Random byte flips: the reader must end (and, under ASan, read nothing outside). */
Test(cpio, random_corruptions_end_cleanly)
{
	unsigned int seed = 12345;
	size_t len;
	int n;

	cpio_add(&b, "etc", 040755, NULL, 0);
	cpio_add(&b, "etc/motd", 0100644, "welcome to teachos\n", 19);
	len = cpio_finish(&b);
	len = b.len;
	for (int i = 0; i < 20000; i++) {
		unsigned char copy[512];

		memcpy(copy, b.buf, len);
		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245 + 12345;
			copy[(seed >> 8) % len] = (unsigned char)(seed >> 20);
		}
		(void)read_all(copy, len, NULL, 0, &n, NULL);
	}
}
