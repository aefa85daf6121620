/*
 * libFuzzer harness of the newc reader (fs/cpio.c): any bytes, read to the end. The input is
 * in a heap block of exactly its size (libFuzzer's), so AddressSanitizer reports any read
 * past it; each entry returned is checked to lie inside the input, with its name
 * NUL-terminated at name_len and free of ".." components, and the reader must stop within
 * one entry per 112 bytes. `make fuzz` builds and runs it (FUZZ_RUNS=N); tests/run runs a
 * short bounded stretch. Build: clang -fsanitize=fuzzer,address,undefined (see the Makefile).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fs/cpio.h>

static void check(int cond)
{
	if (!cond)
		abort();
}

static int has_dotdot(const char *name)
{
	const char *p = name;

	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		if (!slash)
			return 0;
		p = slash + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpio_reader r;
	struct cpio_entry e;
	size_t entries = 0;
	int ret;

	cpio_reader_init(&r, data, size);
	while ((ret = cpio_next(&r, &e)) > 0) {
		const uint8_t *name = (const uint8_t *)e.name, *d = e.data;

		check(name >= data && name + e.name_len < data + size);
		check(e.name[e.name_len] == '\0' && strlen(e.name) == e.name_len);
		check(d >= data && d <= data + size && e.size <= (size_t)(data + size - d));
		check(!has_dotdot(e.name));
		check(e.offset % 4 == 0 && e.offset + CPIO_HEADER_SIZE <= size);
		check(++entries <= size / (CPIO_HEADER_SIZE + 2));
	}
	check(ret == 0 || ret == -22);
	check(ret == 0 || (r.error && r.error_offset <= size));
	check(cpio_next(&r, &e) == ret);
	return 0;
}
