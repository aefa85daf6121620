/*
 * Host tests of kernel/multiboot2.c. Each test builds a multiboot2 information structure
 * in a byte buffer with a small builder (tags padded to 8 bytes, as a loader lays them
 * out), copies it into a heap block of exactly the size the parser is told it may read,
 * so that AddressSanitizer catches any read past it, and checks the parsed boot_info,
 * the warnings counted and the lines logged.
 *
 * The structures follow what GRUB 2 gives on QEMU; the tag numbers are written out here
 * rather than shared with the parser, so a wrong constant there is caught here.
 * The randomized tests print their seed and replay with TEST_SEED=n; TEST_ITERS=n sets the
 * number of fuzz iterations (default 20000), as in the other host tests.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/bootinfo.h>
#include <lib/errno.h>

#include "printk_stub.h"
#include "rng.h"

#define KiB 1024ull
#define MiB (1024 * KiB)

/* ---- building structures ---- */

struct mb2_builder {
	uint8_t buf[16384] __attribute__((aligned(8)));
	size_t len;
};

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void mb_begin(struct mb2_builder *b)
{
	memset(b, 0, sizeof(*b));
	b->len = 8;	/* total_size and reserved, filled by mb_end() */
}

static void mb_set_total(struct mb2_builder *b, uint32_t total)
{
	put32(b->buf, total);
}

/* Appends a tag of @size bytes (header included), payload copied from @payload if given. */
static uint8_t *mb_tag(struct mb2_builder *b, uint32_t type, uint32_t size, const void *payload)
{
	uint8_t *t = b->buf + b->len;

	cr_assert_leq(b->len + size + 8, sizeof(b->buf), "builder buffer too small");
	put32(t, type);
	put32(t + 4, size);
	if (payload && size > 8)
		memcpy(t + 8, payload, size - 8);
	b->len = (b->len + (size < 8 ? 8 : size) + 7) & ~(size_t)7;
	mb_set_total(b, (uint32_t)b->len);
	return t;
}

static uint8_t *mb_string(struct mb2_builder *b, uint32_t type, const char *s)
{
	return mb_tag(b, type, 8 + strlen(s) + 1, s);
}

static void mb_end(struct mb2_builder *b)
{
	mb_tag(b, 0, 8, NULL);
}

struct ent {
	uint64_t base, length;
	uint32_t type;
};

static uint8_t *mb_mmap(struct mb2_builder *b, uint32_t entry_size, uint32_t version,
			const struct ent *e, unsigned int n)
{
	uint32_t stride = entry_size >= 24 ? entry_size : 24;
	uint8_t *t = mb_tag(b, 6, 16 + n * stride, NULL);
	unsigned int i;

	put32(t + 8, entry_size);
	put32(t + 12, version);
	for (i = 0; i < n; i++) {
		uint8_t *p = t + 16 + i * stride;

		put64(p, e[i].base);
		put64(p + 8, e[i].length);
		put32(p + 16, e[i].type);
	}
	return t;
}

static void mb_basic(struct mb2_builder *b, uint32_t lower, uint32_t upper)
{
	uint32_t v[2] = { lower, upper };

	mb_tag(b, 4, 16, v);
}

static void mb_module(struct mb2_builder *b, uint32_t start, uint32_t end, const char *s)
{
	uint8_t *t = mb_tag(b, 3, 16 + strlen(s) + 1, NULL);

	put32(t + 8, start);
	put32(t + 12, end);
	memcpy(t + 16, s, strlen(s) + 1);
}

static uint8_t *mb_framebuffer(struct mb2_builder *b, uint32_t size, uint64_t addr,
			       uint32_t pitch, uint32_t w, uint32_t h, uint8_t bpp, uint8_t type)
{
	uint8_t *t = mb_tag(b, 8, size, NULL);

	put64(t + 8, addr);
	put32(t + 16, pitch);
	put32(t + 20, w);
	put32(t + 24, h);
	t[28] = bpp;
	t[29] = type;
	return t;
}

static void set_rgb(uint8_t *fb_tag, uint8_t rp, uint8_t rs, uint8_t gp, uint8_t gs, uint8_t bp,
		    uint8_t bs)
{
	uint8_t f[6] = { rp, rs, gp, gs, bp, bs };

	memcpy(fb_tag + 32, f, 6);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* A valid RSDP as QEMU's firmware makes it: revision 0 (20 bytes) or 2 (36 bytes). */
static void make_rsdp(uint8_t r[36], int revision)
{
	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "BOCHS ", 6);
	r[15] = (uint8_t)revision;
	put32(r + 16, 0x07fe14d2);
	if (revision >= 2) {
		put32(r + 20, 36);
		put64(r + 24, 0x07fe1500);
	}
	r[8] = (uint8_t)-sum(r, 20);
	if (revision >= 2)
		r[32] = (uint8_t)-sum(r, 36);
}

static void mb_rsdp(struct mb2_builder *b, uint32_t type, const uint8_t r[36])
{
	mb_tag(b, type, type == 14 ? 8 + 20 : 8 + 36, r);
}

/* QEMU's usual e820 map with 128 MiB of RAM under SeaBIOS. */
static const struct ent qemu_map[] = {
	{ 0x0, 0x9fc00, 1 },	     { 0x9fc00, 0x400, 2 },	 { 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x7ee0000, 1 }, { 0x7fe0000, 0x20000, 2 }, { 0xfffc0000, 0x40000, 2 },
};

static void mb_efi_mmap(struct mb2_builder *b, uint32_t desc_size)
{
	static const struct {
		uint32_t type;
		uint64_t start, pages;
	} d[] = { { 7, 0x0, 0xa0 }, { 2, 0x100000, 0x700 }, { 11, 0xffc00000, 0x400 } };
	uint8_t *t = mb_tag(b, 17, 16 + 3 * desc_size, NULL);
	unsigned int i;

	put32(t + 8, desc_size);
	put32(t + 12, 1);
	for (i = 0; i < 3; i++) {
		uint8_t *p = t + 16 + i * desc_size;

		put32(p, d[i].type);
		put64(p + 8, d[i].start);
		put64(p + 24, d[i].pages);
	}
}

/* Everything GRUB 2 gives on QEMU, in GRUB's order, plus tags the parser must ignore. */
static void build_grub(struct mb2_builder *b)
{
	uint8_t r1[36], r2[36], junk[16] = { 0xde, 0xad };
	uint32_t bootdev[3] = { 0x80, 0xffffffff, 0xffffffff };
	uint8_t *fb;

	make_rsdp(r1, 0);
	make_rsdp(r2, 2);
	mb_begin(b);
	mb_string(b, 1, "console=ttyS0 ktest=all");
	mb_string(b, 2, "GRUB 2.06-13+deb12u1");
	mb_module(b, 0x200000, 0x22a000, "/boot/initrd.img root=/dev/sda");
	mb_basic(b, 639, 129920);
	mb_tag(b, 5, 20, bootdev);
	mb_mmap(b, 24, 0, qemu_map, 6);
	fb = mb_framebuffer(b, 38, 0xfd000000, 4096, 1024, 768, 32, 1);
	set_rgb(fb, 16, 8, 8, 8, 0, 8);
	mb_tag(b, 9, 8 + sizeof(junk), junk);
	mb_rsdp(b, 14, r1);
	mb_rsdp(b, 15, r2);
	mb_efi_mmap(b, 48);
	mb_tag(b, 0x1234, 13, junk);	/* unknown type, odd size */
	mb_tag(b, 21, 12, junk);	/* load base address: known, unused */
	mb_end(b);
}

/* A small valid structure that malformation tests extend: a command line and a map. */
static void build_min(struct mb2_builder *b)
{
	mb_begin(b);
	mb_string(b, 1, "quiet");
	mb_mmap(b, 24, 0, qemu_map, 6);
}

/* ---- parsing into a block of exactly the readable size ---- */

static struct {
	uint8_t *mem;
	struct boot_info bi;
	int ret;
} P;

static int parse_avail(const struct mb2_builder *b, size_t avail)
{
	free(P.mem);
	P.mem = malloc(avail ? avail : 1);
	cr_assert_not_null(P.mem);
	memset(P.mem, 0xa5, avail);
	memcpy(P.mem, b->buf, avail < b->len ? avail : b->len);
	P.ret = multiboot2_parse(P.mem, avail, 0x9500, &P.bi);
	return P.ret;
}

static int parse(const struct mb2_builder *b)
{
	return parse_avail(b, b->len);
}

static bool logged(const char *s)
{
	return strstr(printk_captured(), s) != NULL;
}

static unsigned int logged_problems(void)
{
	return printk_count(3) + printk_count(4);
}

static void setup(void)
{
	printk_capture_reset();
	memset(&P, 0, sizeof(P));
}

static void teardown(void)
{
	free(P.mem);
	P.mem = NULL;
}

TestSuite(multiboot2, .init = setup, .fini = teardown);

static struct mb2_builder B;

static void assert_qemu_map(const struct boot_info *bi)
{
	unsigned int i;

	cr_assert_eq(bi->nr_mem, 6);
	for (i = 0; i < 6; i++) {
		cr_expect_eq(bi->mem[i].base, qemu_map[i].base, "region %u", i);
		cr_expect_eq(bi->mem[i].length, qemu_map[i].length, "region %u", i);
		cr_expect_eq(bi->mem[i].type, qemu_map[i].type, "region %u", i);
	}
	cr_expect_not(bi->mem_from_basic);
	cr_expect_not(bi->mem_truncated);
}

static void assert_clean(void)
{
	cr_assert_eq(P.ret, 0);
	cr_assert(P.bi.valid);
	cr_expect_eq(P.bi.nr_warnings, 0, "warnings logged:\n%s", printk_captured());
	cr_expect_eq(logged_problems(), 0);
}

/* Parse and expect success with exactly @n warnings, each logged once. */
static void assert_warnings(unsigned int n)
{
	cr_assert_eq(P.ret, 0);
	cr_assert(P.bi.valid);
	cr_expect_eq(P.bi.nr_warnings, n, "expected %u warnings, log:\n%s", n, printk_captured());
	cr_expect_eq(logged_problems(), n, "log:\n%s", printk_captured());
}

/* ---- a well-formed structure ---- */

Test(multiboot2, grub_like_structure)
{
	uint8_t r2[36];
	const struct boot_framebuffer *fb = &P.bi.fb;

	build_grub(&B);
	parse(&B);
	assert_clean();

	cr_expect_eq(P.bi.info_phys, 0x9500);
	cr_expect_eq(P.bi.info_size, B.len);
	cr_expect_str_eq(P.bi.cmdline, "console=ttyS0 ktest=all");
	cr_expect_str_eq(P.bi.loader_name, "GRUB 2.06-13+deb12u1");
	assert_qemu_map(&P.bi);

	cr_assert_eq(P.bi.nr_modules, 1);
	cr_expect_eq(P.bi.modules[0].start, 0x200000);
	cr_expect_eq(P.bi.modules[0].end, 0x22a000);
	cr_expect_str_eq(P.bi.modules[0].cmdline, "/boot/initrd.img root=/dev/sda");

	cr_assert(P.bi.has_framebuffer);
	cr_expect_eq(fb->addr, 0xfd000000);
	cr_expect_eq(fb->pitch, 4096);
	cr_expect_eq(fb->width, 1024);
	cr_expect_eq(fb->height, 768);
	cr_expect_eq(fb->bpp, 32);
	cr_expect_eq(fb->type, 1);
	cr_expect(fb->red_pos == 16 && fb->red_size == 8);
	cr_expect(fb->green_pos == 8 && fb->green_size == 8);
	cr_expect(fb->blue_pos == 0 && fb->blue_size == 8);

	/* Both RSDP tags are valid: the revision 2 copy wins. */
	make_rsdp(r2, 2);
	cr_assert(P.bi.has_rsdp);
	cr_expect_eq(P.bi.rsdp_len, 36);
	cr_expect_arr_eq(P.bi.rsdp, r2, 36);

	cr_expect_eq(P.bi.efi_nr_desc, 3);
	cr_expect_eq(P.bi.efi_desc_size, 48);
	cr_expect_eq(P.bi.efi_desc_version, 1);
	cr_expect_eq(((const uint8_t *)P.bi.efi_mmap)[0], 7);
}

Test(multiboot2, strings_point_into_the_information)
{
	const uint8_t *end;

	build_grub(&B);
	parse(&B);
	end = P.mem + B.len;
	cr_expect((const uint8_t *)P.bi.cmdline > P.mem && (const uint8_t *)P.bi.cmdline < end);
	cr_expect((const uint8_t *)P.bi.loader_name > P.mem &&
		  (const uint8_t *)P.bi.loader_name < end);
	cr_expect((const uint8_t *)P.bi.efi_mmap + 3 * 48 <= end);
}

Test(multiboot2, unknown_and_unused_tags_are_silent)
{
	uint8_t junk[64] = { 1, 2, 3 };

	build_min(&B);
	mb_tag(&B, 7, 8 + 40, junk);		/* VBE */
	mb_tag(&B, 13, 8 + 17, junk);		/* SMBIOS, odd size */
	mb_tag(&B, 0x7fff, 8, NULL);		/* unknown, empty */
	mb_tag(&B, 0xffffffff, 9, junk);	/* unknown */
	mb_end(&B);
	parse(&B);
	assert_clean();
	assert_qemu_map(&P.bi);
}

Test(multiboot2, only_end_tag)
{
	mb_begin(&B);
	mb_end(&B);
	cr_assert_eq(B.len, 16);
	parse(&B);
	assert_warnings(1);
	cr_assert_not_null(P.bi.cmdline);
	cr_expect_str_eq(P.bi.cmdline, "");
	cr_expect_null(P.bi.loader_name);
	cr_expect_eq(P.bi.nr_mem, 0);
	cr_expect_eq(printk_count(3), 1);
	cr_expect(logged("no memory map from the boot loader"));
}

Test(multiboot2, missing_cmdline_is_empty_without_warning)
{
	mb_begin(&B);
	mb_mmap(&B, 24, 0, qemu_map, 6);
	mb_end(&B);
	parse(&B);
	assert_clean();
	cr_assert_not_null(P.bi.cmdline);
	cr_expect_str_eq(P.bi.cmdline, "");
}

Test(multiboot2, avail_larger_than_total_size)
{
	build_grub(&B);
	parse_avail(&B, B.len + 64);
	assert_clean();
	cr_expect_eq(P.bi.info_size, B.len);
}

/* ---- the structure as a whole ---- */

Test(multiboot2, null_info)
{
	cr_expect_eq(multiboot2_parse(NULL, 4096, 0, &P.bi), -EINVAL);
	cr_expect_not(P.bi.valid);
	cr_expect_str_eq(P.bi.cmdline, "");
	cr_expect_eq(multiboot2_parse(B.buf, 4096, 0, NULL), -EINVAL);
}

Test(multiboot2, misaligned_pointer)
{
	uint64_t *mem = calloc(1, 4096);
	unsigned int off;

	build_grub(&B);
	for (off = 1; off < 8; off++) {
		memcpy((uint8_t *)mem + off, B.buf, B.len);
		cr_expect_eq(multiboot2_parse((uint8_t *)mem + off, B.len, off, &P.bi), -EINVAL,
			     "offset %u", off);
		cr_expect_not(P.bi.valid);
		cr_expect_eq(P.bi.nr_mem, 0);
	}
	cr_expect(logged("not 8-byte aligned"));
	free(mem);
}

Test(multiboot2, total_size_above_avail)
{
	build_grub(&B);
	cr_expect_eq(parse_avail(&B, B.len - 8), -EINVAL);
	cr_expect_not(P.bi.valid);
	cr_expect_eq(P.bi.nr_mem, 0);
	cr_expect_eq(printk_count(3), 1);

	mb_set_total(&B, 0xfffffff8);
	cr_expect_eq(parse(&B), -EINVAL);
}

Test(multiboot2, total_size_below_16)
{
	uint32_t t;

	build_min(&B);
	mb_end(&B);
	for (t = 0; t < 16; t++) {
		mb_set_total(&B, t);
		cr_expect_eq(parse(&B), -EINVAL, "total_size %u", t);
		cr_expect_not(P.bi.valid);
	}
}

Test(multiboot2, avail_below_16)
{
	size_t a;

	build_min(&B);
	mb_end(&B);
	for (a = 0; a < 16; a++)
		cr_expect_eq(parse_avail(&B, a), -EINVAL, "avail %zu", a);
}

/* ---- the tag walk ---- */

Test(multiboot2, tag_size_below_8_stops_the_walk)
{
	build_min(&B);
	mb_tag(&B, 2, 4, NULL);
	mb_string(&B, 2, "never seen");
	mb_end(&B);
	parse(&B);
	assert_warnings(1);
	cr_expect(logged("tag 2 (boot loader name) at offset"));
	cr_expect(logged("size 4 is below 8"));
	cr_expect_str_eq(P.bi.cmdline, "quiet");
	assert_qemu_map(&P.bi);
	cr_expect_null(P.bi.loader_name);
}

Test(multiboot2, tag_past_the_end_stops_the_walk)
{
	uint8_t *t;

	build_min(&B);
	t = mb_string(&B, 2, "GRUB");
	mb_end(&B);
	put32(t + 4, 4000);
	parse(&B);
	assert_warnings(1);
	cr_expect(logged("runs past total_size"));
	cr_expect_null(P.bi.loader_name);
	assert_qemu_map(&P.bi);
}

Test(multiboot2, tag_past_total_size_but_inside_avail)
{
	size_t before;

	/* The last tag ends beyond total_size: the parser must believe total_size, not avail. */
	build_min(&B);
	before = B.len;
	mb_string(&B, 2, "GRUB 2");
	mb_end(&B);
	mb_set_total(&B, before + 8);
	parse_avail(&B, B.len);
	assert_warnings(1);
	cr_expect(logged("runs past total_size"));
	cr_expect_null(P.bi.loader_name);
}

Test(multiboot2, missing_end_tag)
{
	build_min(&B);
	mb_string(&B, 2, "GRUB");
	parse(&B);
	assert_warnings(1);
	cr_expect(logged("no end tag"));
	cr_expect_str_eq(P.bi.loader_name, "GRUB");
	assert_qemu_map(&P.bi);
}

Test(multiboot2, end_tag_with_wrong_size)
{
	build_min(&B);
	mb_tag(&B, 0, 16, NULL);
	parse(&B);
	assert_warnings(1);
	cr_expect(logged("end tag has size 16"));
}

Test(multiboot2, tags_after_end_are_ignored)
{
	build_min(&B);
	mb_end(&B);
	mb_string(&B, 1, "after the end");
	parse(&B);
	assert_clean();
	cr_expect_str_eq(P.bi.cmdline, "quiet");
}

Test(multiboot2, duplicated_cmdline_keeps_the_first)
{
	build_min(&B);
	mb_string(&B, 1, "second");
	mb_end(&B);
	parse(&B);
	assert_warnings(1);
	cr_expect(logged("tag 1 (cmdline): given twice"));
	cr_expect_str_eq(P.bi.cmdline, "quiet");
}

Test(multiboot2, duplicated_mmap_keeps_the_first)
{
	static const struct ent other[] = { { 0, 4096, 1 } };

	build_min(&B);
	mb_mmap(&B, 24, 0, other, 1);
	mb_end(&B);
	parse(&B);
	assert_warnings(1);
	cr_expect(logged("tag 6 (mmap): given twice"));
	assert_qemu_map(&P.bi);
}

Test(multiboot2, bad_first_copy_does_not_hide_a_good_second)
{
	mb_begin(&B);
	mb_tag(&B, 1, 12, "abcd");	/* no NUL */
	mb_string(&B, 1, "good");
	mb_mmap(&B, 24, 0, qemu_map, 6);
	mb_end(&B);
	parse(&B);
	assert_warnings(1);
	cr_expect_str_eq(P.bi.cmdline, "good");
}

/* ---- strings ---- */

Test(multiboot2, unterminated_strings)
{
	mb_begin(&B);
	mb_tag(&B, 1, 8 + 5, "hello");
	mb_tag(&B, 2, 8 + 4, "GRUB");
	mb_mmap(&B, 24, 0, qemu_map, 6);
	mb_end(&B);
	parse(&B);
	assert_warnings(2);
	cr_expect(logged("tag 1 (cmdline): string is not NUL-terminated"));
	cr_expect(logged("tag 2 (boot loader name): string is not NUL-terminated"));
	cr_expect_str_eq(P.bi.cmdline, "");
	cr_expect_null(P.bi.loader_name);
}

Test(multiboot2, empty_string_tag_is_too_small)
{
	build_min(&B);
	mb_tag(&B, 2, 8, NULL);
	mb_end(&B);
	parse(&B);
	assert_warnings(1);
	cr_expect(logged("tag 2 (boot loader name): size 8 is below the minimum 9"));
}

Test(multiboot2, string_ending_at_the_tag_end)
{
	/* The NUL is the last byte of the tag, the padding after it is garbage. */
	mb_begin(&B);
	mb_tag(&B, 1, 8 + 3, "ab");
	B.buf[8 + 11] = 'x';
	mb_mmap(&B, 24, 0, qemu_map, 6);
	mb_end(&B);
	parse(&B);
	assert_clean();
	cr_expect_str_eq(P.bi.cmdline, "ab");
}

/* ---- modules ---- */

Test(multiboot2, modules)
{
	uint8_t *t;
	unsigned int i;
	char name[16];

	build_min(&B);
	mb_module(&B, 0x300000, 0x200000, "backwards");
	mb_module(&B, 0x400000, 0x400000, "empty");
	t = mb_tag(&B, 3, 16 + 4, NULL);
	memcpy(t + 16, "abcd", 4);
	for (i = 0; i < 17; i++) {
		snprintf(name, sizeof(name), "m%u", i);
		mb_module(&B, 0x1000000 + i * 0x1000, 0x1000800 + i * 0x1000, name);
	}
	mb_end(&B);
	parse(&B);
	/* backwards, unterminated, and m15 and m16: "empty" and m0..m14 fill the 16 slots */
	assert_warnings(4);
	cr_expect(logged("mod_end 0x200000 is below mod_start 0x300000"));
	cr_expect(logged("tag 3 (module): string is not NUL-terminated"));
	cr_expect(logged("more than 16 modules"));
	cr_assert_eq(P.bi.nr_modules, 16);
	cr_expect_str_eq(P.bi.modules[0].cmdline, "empty");
	cr_expect_eq(P.bi.modules[0].start, P.bi.modules[0].end);
	cr_expect_str_eq(P.bi.modules[15].cmdline, "m14");
	cr_expect_eq(P.bi.modules[15].end, 0x1000800 + 14 * 0x1000);
}

/* ---- memory map ---- */

Test(multiboot2, mmap_bad_entry_size_falls_back_to_basic)
{
	static const uint32_t sizes[] = { 0, 7, 20, 25, 12 };
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		printk_capture_reset();
		mb_begin(&B);
		mb_basic(&B, 639, 129920);
		mb_mmap(&B, sizes[i], 0, qemu_map, 2);
		mb_end(&B);
		parse(&B);
		/* the bad mmap tag, then the fallback */
		assert_warnings(2);
		cr_expect(logged("tag 6 (mmap): entry_size"), "entry_size %u", sizes[i]);
		cr_expect(P.bi.mem_from_basic);
		cr_assert_eq(P.bi.nr_mem, 2, "entry_size %u", sizes[i]);
		cr_expect_eq(P.bi.mem[0].base, 0);
		cr_expect_eq(P.bi.mem[0].length, 639 * KiB);
		cr_expect_eq(P.bi.mem[1].base, 1 * MiB);
		cr_expect_eq(P.bi.mem[1].length, 129920 * KiB);
		cr_expect_eq(P.bi.mem[1].type, MEM_USABLE);
	}
}

Test(multiboot2, mmap_larger_entries)
{
	/* entry_size 32: a future loader may append fields; the stride must follow it. */
	mb_begin(&B);
	mb_mmap(&B, 32, 0, qemu_map, 6);
	mb_end(&B);
	parse(&B);
	assert_clean();
	assert_qemu_map(&P.bi);
}

Test(multiboot2, mmap_entry_version)
{
	mb_begin(&B);
	mb_mmap(&B, 24, 1, qemu_map, 6);
	mb_end(&B);
	parse(&B);
	/* the bad tag, then "no memory map" */
	assert_warnings(2);
	cr_expect(logged("entry_version 1 is not 0"));
	cr_expect_eq(P.bi.nr_mem, 0);
}

Test(multiboot2, mmap_zero_length_entries_are_skipped)
{
	static const struct ent map[] = {
		{ 0, 0x9fc00, 1 }, { 0x9fc00, 0, 2 }, { 0x100000, 0x100000, 1 }, { 0, 0, 0 },
	};

	mb_begin(&B);
	mb_mmap(&B, 24, 0, map, 4);
	mb_end(&B);
	parse(&B);
	assert_clean();
	cr_expect_eq(P.bi.nr_mem, 2);
	cr_expect_eq(P.bi.mem[1].base, 0x100000);
	cr_expect_eq(printk_count(7), 2);
	cr_expect(logged("has length 0"));
}

Test(multiboot2, mmap_wrapping_entry)
{
	static const struct ent map[] = {
		{ 0, 0x9fc00, 1 }, { 0xfffffffffffff000, 0x2000, 2 }, { 0x100000, 0x100000, 1 },
		{ 0xffffffffffffe000, 0x1000, 2 }, { 0xfffffffffffff000, 0x1000, 2 },
	};

	/* The last one ends at exactly 2^64, which an exclusive 64-bit end cannot hold. */
	mb_begin(&B);
	mb_mmap(&B, 24, 0, map, 5);
	mb_end(&B);
	parse(&B);
	assert_warnings(2);
	cr_expect(logged("entry 1 [0xfffffffffffff000, +0x2000) wraps"));
	cr_expect(logged("entry 4 [0xfffffffffffff000, +0x1000) wraps"));
	cr_assert_eq(P.bi.nr_mem, 3);
	cr_expect_eq(P.bi.mem[2].base, 0xffffffffffffe000);
}

Test(multiboot2, mmap_trailing_partial_entry)
{
	uint8_t *t;

	/* The third entry is cut to 16 of its 24 bytes; the next tag follows the cut. */
	mb_begin(&B);
	t = mb_mmap(&B, 24, 0, qemu_map, 3);
	put32(t + 4, 16 + 2 * 24 + 16);
	B.len = 8 + 16 + 2 * 24 + 16;
	mb_end(&B);
	parse(&B);
	assert_clean();
	cr_expect_eq(P.bi.nr_mem, 2);
}

Test(multiboot2, mmap_truncated_at_the_limit)
{
	static struct ent map[BOOT_MAX_MEM_REGIONS + 5];
	unsigned int i;

	for (i = 0; i < BOOT_MAX_MEM_REGIONS + 5; i++)
		map[i] = (struct ent){ i * 0x10000ull, 0x8000, 1 + i % 5 };
	mb_begin(&B);
	mb_mmap(&B, 24, 0, map, BOOT_MAX_MEM_REGIONS + 5);
	mb_end(&B);
	parse(&B);
	assert_warnings(1);
	cr_expect(P.bi.mem_truncated);
	cr_expect(logged("more than 128 regions"));
	cr_assert_eq(P.bi.nr_mem, BOOT_MAX_MEM_REGIONS);
	cr_expect_eq(P.bi.mem[127].base, 127 * 0x10000ull);
}

Test(multiboot2, mmap_exactly_at_the_limit)
{
	static struct ent map[BOOT_MAX_MEM_REGIONS];
	unsigned int i;

	for (i = 0; i < BOOT_MAX_MEM_REGIONS; i++)
		map[i] = (struct ent){ i * 0x10000ull, 0x8000, 1 };
	mb_begin(&B);
	mb_mmap(&B, 24, 0, map, BOOT_MAX_MEM_REGIONS);
	mb_end(&B);
	parse(&B);
	assert_clean();
	cr_expect_not(P.bi.mem_truncated);
	cr_expect_eq(P.bi.nr_mem, BOOT_MAX_MEM_REGIONS);
}

Test(multiboot2, mmap_wins_over_basic_in_any_order)
{
	mb_begin(&B);
	mb_mmap(&B, 24, 0, qemu_map, 6);
	mb_basic(&B, 1, 2);
	mb_end(&B);
	parse(&B);
	assert_clean();
	assert_qemu_map(&P.bi);
}

Test(multiboot2, basic_meminfo_only)
{
	mb_begin(&B);
	mb_string(&B, 1, "x");
	mb_basic(&B, 0, 65536);
	mb_end(&B);
	parse(&B);
	assert_warnings(1);
	cr_expect(logged("using basic meminfo"));
	cr_expect(P.bi.mem_from_basic);
	cr_assert_eq(P.bi.nr_mem, 1);	/* mem_lower 0: no low region */
	cr_expect_eq(P.bi.mem[0].base, 1 * MiB);
	cr_expect_eq(P.bi.mem[0].length, 64 * MiB);
}

Test(multiboot2, no_memory_information)
{
	mb_begin(&B);
	mb_string(&B, 1, "x");
	mb_end(&B);
	parse(&B);
	assert_warnings(1);
	cr_expect_eq(printk_count(3), 1);
	cr_expect(logged("no memory map from the boot loader"));
}

/* ---- framebuffer ---- */

Test(multiboot2, framebuffer_ega_text)
{
	build_min(&B);
	mb_framebuffer(&B, 32, 0xb8000, 160, 80, 25, 16, 2);
	mb_end(&B);
	parse(&B);
	assert_clean();
	cr_assert(P.bi.has_framebuffer);
	cr_expect_eq(P.bi.fb.type, 2);
	cr_expect_eq(P.bi.fb.addr, 0xb8000);
}

Test(multiboot2, framebuffer_malformed)
{
	static const struct {
		uint32_t size, pitch, w, h;
		uint8_t bpp, type, red_pos;
		uint64_t addr;
		const char *why;
	} cases[] = {
		{ 24, 4096, 1024, 768, 32, 1, 16, 0xfd000000, "below the minimum 32" },
		{ 32, 4096, 1024, 768, 32, 1, 16, 0xfd000000, "too small for RGB" },
		{ 37, 4096, 1024, 768, 32, 1, 16, 0xfd000000, "size 37 too small for RGB" },
		{ 38, 4096, 1024, 768, 32, 3, 16, 0xfd000000, "unknown framebuffer type 3" },
		{ 38, 4095, 1024, 768, 32, 1, 16, 0xfd000000, "pitch 4095 is too small" },
		{ 38, 4096, 0, 768, 32, 1, 16, 0xfd000000, "empty mode" },
		{ 38, 4096, 1024, 768, 32, 1, 30, 0xfd000000, "do not fit a 32-bit pixel" },
		{ 38, 4096, 1024, 768, 32, 1, 16, 0xfffffffffff00000, "wraps around 2^64" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *t;

		printk_capture_reset();
		build_min(&B);
		t = mb_framebuffer(&B, cases[i].size, cases[i].addr, cases[i].pitch, cases[i].w,
				   cases[i].h, cases[i].bpp, cases[i].type);
		if (cases[i].size >= 38)
			set_rgb(t, cases[i].red_pos, 8, 8, 8, 0, 8);
		mb_end(&B);
		parse(&B);
		assert_warnings(1);
		cr_expect(logged(cases[i].why), "case %u: %s", i, printk_captured());
		cr_expect(logged("tag 8 (framebuffer)"), "case %u", i);
		cr_expect_not(P.bi.has_framebuffer, "case %u", i);
	}
}

/* ---- ACPI RSDP ---- */

Test(multiboot2, rsdp_v1_only)
{
	uint8_t r[36];

	make_rsdp(r, 0);
	build_min(&B);
	mb_rsdp(&B, 14, r);
	mb_end(&B);
	parse(&B);
	assert_clean();
	cr_assert(P.bi.has_rsdp);
	cr_expect_eq(P.bi.rsdp_len, 20);
	cr_expect_arr_eq(P.bi.rsdp, r, 20);
}

Test(multiboot2, rsdp_new_preferred_in_either_order)
{
	uint8_t r1[36], r2[36];

	make_rsdp(r1, 0);
	make_rsdp(r2, 2);
	build_min(&B);
	mb_rsdp(&B, 15, r2);
	mb_rsdp(&B, 14, r1);
	mb_end(&B);
	parse(&B);
	assert_clean();
	cr_expect_eq(P.bi.rsdp_len, 36);
	cr_expect_arr_eq(P.bi.rsdp, r2, 36);
}

Test(multiboot2, rsdp_bad_v1_checksum_and_signature)
{
	uint8_t r[36];

	make_rsdp(r, 0);
	r[8] ^= 1;
	build_min(&B);
	mb_rsdp(&B, 14, r);
	mb_end(&B);
	parse(&B);
	assert_warnings(1);
	cr_expect(logged("tag 14 (ACPI old): RSDP checksum"));
	cr_expect_not(P.bi.has_rsdp);

	printk_capture_reset();
	make_rsdp(r, 0);
	r[3] = 'X';
	r[8] -= 'X' - ' ';	/* keep the checksum right: only the signature is wrong */
	build_min(&B);
	mb_rsdp(&B, 14, r);
	mb_end(&B);
	parse(&B);
	assert_warnings(1);
	cr_expect(logged("RSDP signature"));
	cr_expect_not(P.bi.has_rsdp);
}

Test(multiboot2, rsdp_bad_v2_falls_back_to_v1)
{
	uint8_t r1[36], r2[36];

	make_rsdp(r1, 0);
	make_rsdp(r2, 2);
	r2[32] ^= 0x40;		/* extended checksum only */
	build_min(&B);
	mb_rsdp(&B, 14, r1);
	mb_rsdp(&B, 15, r2);
	mb_end(&B);
	parse(&B);
	assert_warnings(1);
	cr_expect(logged("tag 15 (ACPI new): RSDP extended checksum"));
	cr_expect_eq(P.bi.rsdp_len, 20);
	cr_expect_arr_eq(P.bi.rsdp, r1, 20);
}

Test(multiboot2, rsdp_v2_revision_and_length)
{
	uint8_t r[36];

	make_rsdp(r, 0);	/* revision 0 in the new tag */
	build_min(&B);
	mb_rsdp(&B, 15, r);
	mb_end(&B);
	parse(&B);
	assert_warnings(1);
	cr_expect(logged("revision 0 has no extended fields"));

	printk_capture_reset();
	make_rsdp(r, 2);
	put32(r + 20, 20);
	r[32] = 0;
	r[32] = (uint8_t)-sum(r, 36);
	build_min(&B);
	mb_rsdp(&B, 15, r);
	mb_end(&B);
	parse(&B);
	assert_warnings(1);
	cr_expect(logged("RSDP length 20 is below 36"));
	cr_expect_not(P.bi.has_rsdp);
}

Test(multiboot2, rsdp_v2_length_capped_at_the_tag)
{
	uint8_t r[36];

	/* A length beyond the tag's 36 bytes is checked over those 36 only. */
	make_rsdp(r, 2);
	put32(r + 20, 4096);
	r[32] = 0;
	r[32] = (uint8_t)-sum(r, 36);
	build_min(&B);
	mb_rsdp(&B, 15, r);
	mb_end(&B);
	parse(&B);
	assert_clean();
	cr_expect_eq(P.bi.rsdp_len, 36);
}

Test(multiboot2, rsdp_v2_longer_than_36_inside_the_tag)
{
	uint8_t r[44] = { 0 };

	/* A future, longer XSDP copied whole: its checksum covers all 44 bytes. */
	make_rsdp(r, 2);
	put32(r + 20, 44);
	r[40] = 0x5a;
	r[32] = 0;
	r[32] = (uint8_t)-sum(r, 44);
	build_min(&B);
	mb_tag(&B, 15, 8 + 44, r);
	mb_end(&B);
	parse(&B);
	assert_clean();
	cr_expect_eq(P.bi.rsdp_len, 36);
	cr_expect_arr_eq(P.bi.rsdp, r, 36);
}

Test(multiboot2, rsdp_tag_too_short_and_duplicated)
{
	uint8_t r[36];

	make_rsdp(r, 0);
	build_min(&B);
	mb_tag(&B, 14, 8 + 16, r);
	mb_rsdp(&B, 14, r);
	mb_rsdp(&B, 14, r);
	mb_end(&B);
	parse(&B);
	assert_warnings(2);
	cr_expect(logged("tag 14 (ACPI old): size 24 is below the minimum 28"));
	cr_expect(logged("tag 14 (ACPI old): given twice"));
	cr_expect_eq(P.bi.rsdp_len, 20);
}

/* ---- EFI memory map ---- */

Test(multiboot2, efi_mmap_descriptor_size)
{
	build_min(&B);
	mb_efi_mmap(&B, 32);
	mb_end(&B);
	parse(&B);
	assert_warnings(1);
	cr_expect(logged("tag 17 (EFI mmap): descriptor_size 32 is below 40"));
	cr_expect_null(P.bi.efi_mmap);
	cr_expect_eq(P.bi.efi_nr_desc, 0);

	printk_capture_reset();
	build_min(&B);
	mb_efi_mmap(&B, 40);
	mb_end(&B);
	parse(&B);
	assert_clean();
	cr_expect_eq(P.bi.efi_nr_desc, 3);
}

/* ---- printing ---- */

Test(multiboot2, mem_type_names)
{
	cr_expect_str_eq(mem_type_name(1), "usable");
	cr_expect_str_eq(mem_type_name(2), "reserved");
	cr_expect_str_eq(mem_type_name(3), "ACPI data");
	cr_expect_str_eq(mem_type_name(4), "ACPI NVS");
	cr_expect_str_eq(mem_type_name(5), "unusable");
	cr_expect_str_eq(mem_type_name(0), "reserved");
	cr_expect_str_eq(mem_type_name(12), "reserved");
}

Test(multiboot2, print_qemu_map)
{
	static const char expect[] =
		"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		"BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n"
		"BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved\n"
		"BIOS-e820: [mem 0x0000000000100000-0x0000000007fdffff] usable\n"
		"BIOS-e820: [mem 0x0000000007fe0000-0x0000000007ffffff] reserved\n"
		"BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved\n"
		"efi: 3 descriptors (version 1, size 48)\n"
		"efi: mem00: [Conventional] "
		"range=[0x0000000000000000-0x000000000009ffff] (0 MB)\n"
		"efi: mem01: [Loader Data] "
		"range=[0x0000000000100000-0x00000000007fffff] (7 MB)\n"
		"efi: mem02: [MMIO] "
		"range=[0x00000000ffc00000-0x00000000ffffffff] (4 MB)\n"
		"Memory: 130559 KiB usable in 2 regions, 449 KiB reserved, "
		"top of RAM 0x7fe0000\n";

	build_grub(&B);
	parse(&B);
	assert_clean();
	printk_capture_reset();
	boot_print_memory_map(&P.bi);
	cr_expect_str_eq(printk_captured(), expect);
	cr_expect_eq(printk_count(6), 8);
	cr_expect_eq(printk_count(7), 3);
}

static struct boot_info hand_made;

static void add(uint64_t base, uint64_t length, uint32_t type)
{
	hand_made.mem[hand_made.nr_mem++] = (struct mem_region){ base, length, type };
}

/* The numbers of the summary line printed for hand_made. */
struct summary {
	unsigned long long usable_kib, reserved_kib, top;
	unsigned int nr;
};

static struct summary print_summary(void)
{
	struct summary s = { 0 };
	const char *line;

	printk_capture_reset();
	boot_print_memory_map(&hand_made);
	line = strstr(printk_captured(), "Memory: ");
	cr_assert_not_null(line, "%s", printk_captured());
	cr_assert_eq(sscanf(line, "Memory: %llu KiB usable in %u regions, %llu KiB reserved, "
				  "top of RAM 0x%llx",
			    &s.usable_kib, &s.nr, &s.reserved_kib, &s.top),
		     4, "%s", line);
	return s;
}

Test(multiboot2, summary_overlapping_unsorted)
{
	struct summary s;

	memset(&hand_made, 0, sizeof(hand_made));
	add(0x2000, 0x2000, 1);
	add(0x0, 0x1000, 1);
	add(0x800, 0x1800, 1);		/* overlaps the one before */
	add(0x0, 0x1000, 1);		/* listed twice */
	add(0x3800, 0x1800, 2);		/* reserved over usable: reserved wins */
	add(0x10000, 0x1000, 7);	/* unknown type: reserved */
	s = print_summary();
	cr_expect_eq(s.usable_kib, 14);
	cr_expect_eq(s.reserved_kib, 10);
	cr_expect_eq(s.nr, 4);
	cr_expect_eq(s.top, 0x4000);
	cr_expect(logged("BIOS-e820: [mem 0x0000000000010000-0x0000000000010fff] type 7\n"));
}

Test(multiboot2, summary_nested_and_empty)
{
	struct summary s;

	memset(&hand_made, 0, sizeof(hand_made));
	s = print_summary();
	cr_expect(s.usable_kib == 0 && s.reserved_kib == 0 && s.nr == 0 && s.top == 0);

	add(0, 1024 * MiB, 1);
	add(1 * MiB, 1 * MiB, 1);
	add(0x9f000, 0x1000, 2);
	add(0x9f000, 0x800, 4);
	s = print_summary();
	cr_expect_eq(s.usable_kib, 1024 * 1024 - 4);
	cr_expect_eq(s.reserved_kib, 4);
	cr_expect_eq(s.nr, 2);
	cr_expect_eq(s.top, 1024 * MiB);
}

Test(multiboot2, summary_at_the_top_of_the_address_space)
{
	struct summary s;

	memset(&hand_made, 0, sizeof(hand_made));
	add(0xffffffffffff0000, 0x10000, 1);	/* ends at exactly 2^64: saturates */
	add(0xfffffffffffe0000, 0x10000, 2);
	s = print_summary();
	cr_expect_eq(s.usable_kib, 63);
	cr_expect_eq(s.reserved_kib, 64);
	cr_expect_eq(s.top, 0xffffffffffffffff);
}

/* ---- randomized ---- */

/* Summary against a reference model: a map of 64 blocks of 256 bytes, one flag per block. */
Test(multiboot2, summary_against_model)
{
	unsigned long long seed = test_seed("summary_against_model");
	unsigned int round;

	for (round = 0; round < 2000; round++) {
		uint8_t kind[64] = { 0 };	/* 0 none, 1 usable, 2 reserved */
		unsigned long long usable = 0, reserved = 0, top = 0;
		unsigned int i, n = rnd_below(12), nr = 0;
		struct summary s;

		memset(&hand_made, 0, sizeof(hand_made));
		for (i = 0; i < n; i++) {
			uint32_t first = rnd_below(64), len = 1 + rnd_below(64 - first);
			uint32_t type = rnd_below(3) ? 1 : 1 + rnd_below(8), b;

			add(first * 256ull, len * 256ull, type);
			for (b = first; b < first + len; b++)
				kind[b] = type != 1 ? 2 : kind[b] ? kind[b] : 1;
			if (type == 1) {
				nr++;
				top = top > (first + len) * 256ull ? top : (first + len) * 256ull;
			}
		}
		for (i = 0; i < 64; i++) {
			usable += kind[i] == 1 ? 256 : 0;
			reserved += kind[i] == 2 ? 256 : 0;
		}
		s = print_summary();
		cr_assert_eq(s.usable_kib, usable >> 10, "seed %llu round %u",
			     (unsigned long long)seed, round);
		cr_assert_eq(s.reserved_kib, reserved >> 10, "seed %llu round %u",
			     (unsigned long long)seed, round);
		cr_assert_eq(s.nr, nr, "seed %llu round %u", (unsigned long long)seed, round);
		cr_assert_eq(s.top, top, "seed %llu round %u", (unsigned long long)seed, round);
	}
}

/* ---- fuzzing the parser ---- */

static const uint8_t *fz_mem;
static size_t fz_size;

static bool inside(const void *p, size_t len)
{
	const uint8_t *b = p;

	return b >= fz_mem && len <= fz_size && b - fz_mem <= (ptrdiff_t)(fz_size - len);
}

static bool string_inside(const char *s)
{
	return inside(s, 1) && memchr(s, 0, fz_size - (size_t)((const uint8_t *)s - fz_mem));
}

/* Every invariant the parser promises, whatever the input; NULL when all hold. */
static const char *check_parsed(int ret, const struct boot_info *bi)
{
	unsigned int i;

	if (ret != 0)
		return ret != -EINVAL ? "return value" : bi->valid ? "valid after -EINVAL" : NULL;
	if (!bi->valid)
		return "not valid after 0";
	if (bi->nr_warnings != logged_problems())
		return "nr_warnings differs from the problems logged";
	fz_size = bi->info_size;	/* nothing may point past total_size */
	if (!bi->cmdline || (bi->cmdline[0] && !string_inside(bi->cmdline)))
		return "cmdline";
	if (bi->loader_name && !string_inside(bi->loader_name))
		return "loader_name";
	if (bi->nr_mem > BOOT_MAX_MEM_REGIONS || (bi->mem_truncated && bi->nr_mem < 128))
		return "nr_mem";
	for (i = 0; i < bi->nr_mem; i++) {
		if (bi->mem[i].length == 0 || bi->mem[i].base + bi->mem[i].length < bi->mem[i].base)
			return "memory region";
	}
	if (bi->nr_modules > BOOT_MAX_MODULES)
		return "nr_modules";
	for (i = 0; i < bi->nr_modules; i++) {
		if (bi->modules[i].end < bi->modules[i].start ||
		    !string_inside(bi->modules[i].cmdline))
			return "module";
	}
	if (bi->efi_mmap &&
	    (bi->efi_desc_size < 40 ||
	     !inside(bi->efi_mmap, (size_t)bi->efi_nr_desc * bi->efi_desc_size)))
		return "EFI memory map";
	if (!bi->efi_mmap && bi->efi_nr_desc)
		return "EFI descriptors without a map";
	/* (the extended checksum may cover more than the 36 bytes kept) */
	if (bi->has_rsdp && ((bi->rsdp_len != 20 && bi->rsdp_len != 36) ||
			     memcmp(bi->rsdp, "RSD PTR ", 8) || sum(bi->rsdp, 20)))
		return "RSDP";
	if (bi->has_framebuffer && (bi->fb.type > 2 || !bi->fb.width || !bi->fb.bpp))
		return "framebuffer";
	return NULL;
}

static void mutate(uint8_t *buf, size_t len, size_t *avail)
{
	static const uint32_t interesting[] = {
		0, 1, 7, 8, 9, 15, 16, 17, 20, 24, 28, 32, 38, 40, 44, 0x7fffffff, 0x80000000,
		0xfffffff8, 0xffffffff,
	};
	uint32_t v;

	switch (rnd_below(8)) {
	case 0:
		buf[rnd_below(len)] ^= (uint8_t)(1u << rnd_below(8));
		break;
	case 1:
		buf[rnd_below(len)] = (uint8_t)rnd();
		break;
	case 2:
		v = interesting[rnd_below(sizeof(interesting) / sizeof(interesting[0]))];
		put32(buf + rnd_below(len / 4) * 4, v);
		break;
	case 3:	/* sizes near the real ones, where off-by-one bugs live */
		v = rnd_below(2) ? (uint32_t)len - rnd_below(64) : rnd_below(64);
		put32(buf + rnd_below(len / 4) * 4, v);
		break;
	case 4:
		put64(buf + rnd_below(len / 8) * 8, rnd() >> rnd_below(64));
		break;
	case 5:
		*avail = rnd_below((uint32_t)len + 1);
		break;
	case 6:	/* cut the structure short, so that reading past a tag leaves the block */
		*avail = rnd_below((uint32_t)len + 1);
		put32(buf, (uint32_t)*avail);
		break;
	default:
		put32(buf, rnd_below((uint32_t)len + 32));	/* total_size */
		break;
	}
}

Test(multiboot2, fuzz_mutated_structures, .timeout = 300)
{
	unsigned long iters = test_iters(20000), it;
	unsigned long long seed = test_seed("fuzz_mutated_structures");
	unsigned long parsed_ok = 0;

	build_grub(&B);
	for (it = 0; it < iters; it++) {
		uint8_t work[sizeof(B.buf)];
		unsigned int m, nm = 1 + rnd_below(8);
		size_t avail = B.len;
		uint8_t *mem;
		const char *bad;

		memcpy(work, B.buf, B.len);
		for (m = 0; m < nm; m++)
			mutate(work, B.len, &avail);

		/* Exactly avail bytes on the heap: any read past them is an ASan report. */
		mem = malloc(avail ? avail : 1);
		memcpy(mem, work, avail);
		printk_capture_reset();
		P.ret = multiboot2_parse(mem, avail, 0x9500, &P.bi);
		fz_mem = mem;
		fz_size = avail;
		bad = check_parsed(P.ret, &P.bi);
		cr_assert_null(bad, "seed %llu iteration %lu: %s\n%s", (unsigned long long)seed, it,
			       bad, printk_captured());
		if (P.ret == 0) {
			parsed_ok++;
			boot_print_memory_map(&P.bi);	/* reads the EFI map it was given */
		}
		free(mem);
	}
	/* The mutations must leave most structures parseable, or this tests only the header. */
	cr_expect_gt(parsed_ok, iters / 2, "only %lu of %lu parsed", parsed_ok, iters);
}
