/*
 * Host unit tests of kernel/ksyms.c: ksym_lookup, ksym_address and sprint_symbol over a
 * hand-made symbol table (Criterion, ASan/UBSan).
 *
 * In the kernel the table is generated (scripts/gen-ksyms -> build/ksyms.c); here this file
 * defines it, in the same shape: addresses sorted, names as offsets into one blob, and a
 * last entry that is the end of the text (a sentinel with an empty name, not a symbol), so
 * entries 0..count-2 are functions and each one's size runs to the next entry. The table
 * has a 1-byte function, adjacent functions, a name that is a prefix of another, and two
 * static functions with one name, as the real kernel has. Hand-written cases check the
 * first, middle and last byte of functions, addresses below the first symbol and at or past
 * the sentinel, names, and the "name+0xoff/0xsize" and "0x%016llx" texts; the random test
 * checks addresses in and around the table against a linear search and the host's snprintf.
 * Seed: TEST_SEED or the clock, printed and put in each failure message; TEST_ITERS sets
 * the number of random addresses (default 100000).
 *
 * kernel/ksyms.h renames nothing, so snprintf and strcmp below are the host's.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <kernel/ksyms.h>

#include "rng.h"

/* ---- the table ---- */

#define TEXT 0xffffffff80100000ull

const uint32_t ksym_count = 11;
const uint64_t ksym_addrs[] = {
	TEXT + 0x0,	/* start64, 0x40 bytes */
	TEXT + 0x40,	/* kmain, 0x1c0 */
	TEXT + 0x200,	/* memcpy, 0x20 */
	TEXT + 0x220,	/* memcpy_slow, 1 */
	TEXT + 0x221,	/* x, 0xf */
	TEXT + 0x230,	/* emit, 0x10 */
	TEXT + 0x240,	/* do_irq, 0xdc0 */
	TEXT + 0x1000,	/* emit (a second static one), 0x100 */
	TEXT + 0x1100,	/* panic, 0x8000 */
	TEXT + 0x9100,	/* halt_forever, 0x10 */
	TEXT + 0x9110,	/* end of text */
};
const uint32_t ksym_name_offs[] = { 0, 8, 14, 21, 33, 35, 40, 47, 52, 58, 71 };
const char ksym_names[] = "start64\0kmain\0memcpy\0memcpy_slow\0x\0emit\0do_irq\0emit\0panic\0"
			  "halt_forever\0";

#define NSYMS (ksym_count - 1)
#define END_OF_TEXT (TEXT + 0x9110)

static const char *name_of(uint32_t i)
{
	return ksym_names + ksym_name_offs[i];
}

Test(ksyms, table_is_well_formed)
{
	/* checks this file's table, so that the other tests mean what they say */
	cr_assert_eq(sizeof(ksym_addrs) / sizeof(ksym_addrs[0]), ksym_count);
	cr_assert_eq(sizeof(ksym_name_offs) / sizeof(ksym_name_offs[0]), ksym_count);
	for (uint32_t i = 0; i + 1 < ksym_count; i++) {
		cr_assert(ksym_addrs[i] < ksym_addrs[i + 1], "entry %u not sorted", i);
		cr_assert_eq(ksym_name_offs[i + 1], ksym_name_offs[i] + strlen(name_of(i)) + 1,
			     "name offset %u", i + 1);
		cr_assert(strlen(name_of(i)) > 0);
	}
	cr_assert_str_eq(name_of(ksym_count - 1), "", "the sentinel has an empty name");
	cr_assert_eq(ksym_name_offs[ksym_count - 1] + 1, sizeof(ksym_names));
	cr_assert_eq(ksym_addrs[ksym_count - 1], END_OF_TEXT);
}

/* ---- ksym_lookup ---- */

static void expect_lookup(uint64_t addr, const char *name, uint64_t off, uint64_t size)
{
	uint64_t got_off = ~0ull, got_size = ~0ull;
	const char *got = ksym_lookup(addr, &got_off, &got_size);

	cr_assert_not_null(got, "%#llx: not found, want %s", (unsigned long long)addr, name);
	cr_assert_str_eq(got, name, "%#llx", (unsigned long long)addr);
	cr_assert_eq(got_off, off, "%#llx: offset %#llx, want %#llx", (unsigned long long)addr,
		     (unsigned long long)got_off, (unsigned long long)off);
	cr_assert_eq(got_size, size, "%#llx: size %#llx, want %#llx", (unsigned long long)addr,
		     (unsigned long long)got_size, (unsigned long long)size);
}

static void expect_unknown(uint64_t addr)
{
	uint64_t off, size;
	const char *got = ksym_lookup(addr, &off, &size);

	cr_assert_null(got, "%#llx: found %s, want NULL", (unsigned long long)addr, got);
}

Test(ksyms, lookup_first_byte)
{
	expect_lookup(TEXT, "start64", 0, 0x40);
	expect_lookup(TEXT + 0x40, "kmain", 0, 0x1c0);
	expect_lookup(TEXT + 0x200, "memcpy", 0, 0x20);
	expect_lookup(TEXT + 0x240, "do_irq", 0, 0xdc0);
	expect_lookup(TEXT + 0x9100, "halt_forever", 0, 0x10);
}

Test(ksyms, lookup_middle)
{
	expect_lookup(TEXT + 0x20, "start64", 0x20, 0x40);
	expect_lookup(TEXT + 0x123, "kmain", 0xe3, 0x1c0);
	expect_lookup(TEXT + 0x5000, "panic", 0x3f00, 0x8000);
	expect_lookup(TEXT + 0x9108, "halt_forever", 8, 0x10);
}

Test(ksyms, lookup_last_byte)
{
	expect_lookup(TEXT + 0x3f, "start64", 0x3f, 0x40);
	expect_lookup(TEXT + 0x1ff, "kmain", 0x1bf, 0x1c0);
	expect_lookup(TEXT + 0x21f, "memcpy", 0x1f, 0x20);
	expect_lookup(TEXT + 0xfff, "do_irq", 0xdbf, 0xdc0);
	expect_lookup(END_OF_TEXT - 1, "halt_forever", 0xf, 0x10);
}

Test(ksyms, lookup_every_entry_first_and_last_byte)
{
	for (uint32_t i = 0; i < NSYMS; i++) {
		uint64_t size = ksym_addrs[i + 1] - ksym_addrs[i];

		expect_lookup(ksym_addrs[i], name_of(i), 0, size);
		expect_lookup(ksym_addrs[i + 1] - 1, name_of(i), size - 1, size);
	}
}

Test(ksyms, lookup_one_byte_function)
{
	expect_lookup(TEXT + 0x21f, "memcpy", 0x1f, 0x20);
	expect_lookup(TEXT + 0x220, "memcpy_slow", 0, 1);
	expect_lookup(TEXT + 0x221, "x", 0, 0xf);
}

Test(ksyms, lookup_below_first_symbol)
{
	expect_unknown(TEXT - 1);
	expect_unknown(TEXT - 0x1000);
	expect_unknown(0);
	expect_unknown(0x100000);
}

Test(ksyms, lookup_at_and_after_end_of_text)
{
	expect_unknown(END_OF_TEXT);
	expect_unknown(END_OF_TEXT + 1);
	expect_unknown(END_OF_TEXT + 0x100000);
	expect_unknown(UINT64_MAX);
}

Test(ksyms, lookup_without_offset_or_size)
{
	uint64_t v = 0;

	cr_assert_str_eq(ksym_lookup(TEXT + 0x41, NULL, NULL), "kmain");
	cr_assert_str_eq(ksym_lookup(TEXT + 0x41, &v, NULL), "kmain");
	cr_assert_eq(v, 1);
	cr_assert_str_eq(ksym_lookup(TEXT + 0x41, NULL, &v), "kmain");
	cr_assert_eq(v, 0x1c0);
	cr_assert_null(ksym_lookup(END_OF_TEXT, NULL, NULL));
}

Test(ksyms, lookup_returns_the_table_string)
{
	cr_assert(ksym_lookup(TEXT + 0x1100, NULL, NULL) == ksym_names + 52);
}

/* ---- ksym_address ---- */

Test(ksyms, address_by_name)
{
	cr_assert_eq(ksym_address("start64"), TEXT);
	cr_assert_eq(ksym_address("kmain"), TEXT + 0x40);
	cr_assert_eq(ksym_address("memcpy"), TEXT + 0x200, "not memcpy_slow");
	cr_assert_eq(ksym_address("memcpy_slow"), TEXT + 0x220);
	cr_assert_eq(ksym_address("x"), TEXT + 0x221);
	cr_assert_eq(ksym_address("panic"), TEXT + 0x1100);
	cr_assert_eq(ksym_address("halt_forever"), TEXT + 0x9100, "the last symbol");
}

Test(ksyms, address_of_every_unique_name)
{
	for (uint32_t i = 0; i < NSYMS; i++) {
		if (strcmp(name_of(i), "emit") == 0)
			continue;
		cr_assert_eq(ksym_address(name_of(i)), ksym_addrs[i], "%s", name_of(i));
	}
}

Test(ksyms, address_of_unknown_names_is_zero)
{
	cr_assert_eq(ksym_address("mem"), 0, "a prefix is not a match");
	cr_assert_eq(ksym_address("memcpy_"), 0);
	cr_assert_eq(ksym_address("memcpy_slower"), 0);
	cr_assert_eq(ksym_address("KMAIN"), 0);
	cr_assert_eq(ksym_address("nothing"), 0);
	cr_assert_eq(ksym_address(""), 0, "the sentinel is not a symbol");
}

Test(ksyms, address_of_a_duplicate_name_is_one_of_them)
{
	uint64_t a = ksym_address("emit"), off = 1;

	cr_assert(a == TEXT + 0x230 || a == TEXT + 0x1000, "emit at %#llx",
		  (unsigned long long)a);
	cr_assert_str_eq(ksym_lookup(a, &off, NULL), "emit");
	cr_assert_eq(off, 0);
}

/* ---- sprint_symbol ---- */

static void expect_sprint(uint64_t addr, const char *want)
{
	char buf[128];
	int n;

	memset(buf, 'X', sizeof(buf));
	n = sprint_symbol(buf, sizeof(buf), addr);
	cr_assert_str_eq(buf, want, "%#llx", (unsigned long long)addr);
	cr_assert_eq(n, (int)strlen(want), "%#llx: returned %d", (unsigned long long)addr, n);
}

Test(ksyms, sprint_known)
{
	expect_sprint(TEXT, "start64+0x0/0x40");
	expect_sprint(TEXT + 0x50, "kmain+0x10/0x1c0");
	expect_sprint(TEXT + 0x220, "memcpy_slow+0x0/0x1");
	expect_sprint(TEXT + 0x5abc, "panic+0x49bc/0x8000");
	expect_sprint(END_OF_TEXT - 1, "halt_forever+0xf/0x10");
}

Test(ksyms, sprint_unknown_is_the_padded_address)
{
	expect_sprint(0, "0x0000000000000000");
	expect_sprint(0x1234, "0x0000000000001234");
	expect_sprint(TEXT - 1, "0xffffffff800fffff");
	expect_sprint(END_OF_TEXT, "0xffffffff80109110");
	expect_sprint(UINT64_MAX, "0xffffffffffffffff");
}

Test(ksyms, sprint_truncates_like_snprintf)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	cr_assert_eq(sprint_symbol(buf, 6, TEXT + 0x50), 16);
	cr_assert_str_eq(buf, "kmain");
	cr_assert(buf[6] == 'X' && buf[7] == 'X', "wrote past size");
	cr_assert_eq(sprint_symbol(buf, 1, 0), 18);
	cr_assert_str_eq(buf, "");
	cr_assert_eq(sprint_symbol(NULL, 0, TEXT), 16, "size 0 only measures");
}

/* ---- randomized: against a linear search ---- */

/* The reference: the last symbol at or below @addr, if @addr is before the sentinel. */
static int ref_lookup(uint64_t addr)
{
	int found = -1;

	for (uint32_t i = 0; i < NSYMS; i++)
		if (ksym_addrs[i] <= addr)
			found = (int)i;
	return addr < END_OF_TEXT ? found : -1;
}

static uint64_t random_address(void)
{
	switch (rnd() % 4) {
	case 0:		/* anywhere in and around the text */
		return TEXT - 0x200 + rnd() % (END_OF_TEXT - TEXT + 0x400);
	case 1:		/* next to an entry, the sentinel included */
		return ksym_addrs[rnd() % ksym_count] + (rnd() % 5) - 2;
	case 2:		/* inside the text */
		return TEXT + rnd() % (END_OF_TEXT - TEXT);
	default:	/* anything */
		return rnd();
	}
}

Test(ksyms, random_against_linear_search)
{
	unsigned long long seed = test_seed("ksyms/random_against_linear_search");
	int iters = test_iters(100000);

	for (int it = 0; it < iters; it++) {
		uint64_t addr = random_address(), off = ~0ull, size = ~0ull;
		const char *name = ksym_lookup(addr, &off, &size);
		int i = ref_lookup(addr);
		char got[128], want[128];
		int n, wn;

		if (i < 0) {
			cr_assert_null(name, "seed %llu: %#llx found %s, want NULL", seed,
				       (unsigned long long)addr, name);
			wn = snprintf(want, sizeof(want), "0x%016llx", (unsigned long long)addr);
		} else {
			uint64_t wsize = ksym_addrs[i + 1] - ksym_addrs[i];

			cr_assert(name == name_of((uint32_t)i), "seed %llu: %#llx found %s, want %s",
				  seed, (unsigned long long)addr, name ? name : "NULL",
				  name_of((uint32_t)i));
			cr_assert_eq(off, addr - ksym_addrs[i], "seed %llu: %#llx offset", seed,
				     (unsigned long long)addr);
			cr_assert_eq(size, wsize, "seed %llu: %#llx size", seed,
				     (unsigned long long)addr);
			cr_assert(off < size);
			wn = snprintf(want, sizeof(want), "%s+0x%llx/0x%llx", name_of((uint32_t)i),
				      (unsigned long long)(addr - ksym_addrs[i]),
				      (unsigned long long)wsize);
		}
		n = sprint_symbol(got, sizeof(got), addr);
		cr_assert_str_eq(got, want, "seed %llu: %#llx", seed, (unsigned long long)addr);
		cr_assert_eq(n, wn, "seed %llu: %#llx length", seed, (unsigned long long)addr);
	}
}
