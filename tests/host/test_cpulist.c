/*
 * Host unit tests of lib/cpulist.c, taskset's CPU masks and lists (Criterion, ASan/UBSan).
 *
 * The hand-written cases are what util-linux 2.38's taskset did with the same text on a
 * Debian host: the masks it passed to sched_setaffinity, the inputs it refused, and the
 * masks and lists it printed (obtained by running it with sched_setaffinity and
 * sched_getaffinity interposed). The random tests check that every mask printed either
 * way parses back to itself, that a printed list is canonical (increasing, a range only
 * for three CPUs or more, nothing that could be merged), that a short buffer gets the
 * beginning of the text and the whole length, and that lists of random items parse to
 * the CPUs a plain loop over the items sets.
 * Seed: TEST_SEED or the clock; TEST_ITERS sets the number of random cases (default 20000).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/cpulist.h>

#include "rng.h"

#define ALL	(~0ul)

struct parse_case {
	const char *text;
	unsigned int nbits;
	cpumask_t want;
};

static const struct parse_case good_masks[] = {
	{ "1", 64, 0x1 }, { "0x1", 64, 0x1 }, { "F", 64, 0xf }, { "3A", 64, 0x3a },
	{ "1,", 64, 0x1 }, { "1,1", 64, 0x11 }, { "ff,ffffffff", 64, 0xffffffffff },
	{ "c,0000000f", 64, 0xc0000000f }, { "0", 64, 0 }, { "", 64, 0 }, { "0x", 64, 0 },
	{ "00000000000000000000001", 64, 0x1 }, { "10000000000000000", 64, 0 },
	{ "ffffffffffffffffffffffffffffffffffff", 64, ALL }, { "8000000000000000", 64, 1ul << 63 },
	{ "1ff", 8, 0xff }, { "100", 8, 0 }, { "0x3", 1, 0x1 },
};

static const char *const bad_masks[] = {
	"0X3", ",", "1,,1", ",1", "g", "0x0x1", "-", "xyz", " 1", "1 ", "0x,1", "+1",
};

static const struct parse_case good_lists[] = {
	{ "0", 64, 0x1 }, { "00", 64, 0x1 }, { "0-3", 64, 0xf }, { "0-7:2", 64, 0x55 },
	{ "1-1", 64, 0x2 }, { "1,0", 64, 0x3 }, { "0-0:5", 64, 0x1 }, { "3,1-2", 64, 0xe },
	{ "0-3,2", 64, 0xf }, { "63", 64, 1ul << 63 }, { "64", 64, 0 }, { "0-100", 64, ALL },
	{ "5-9:3", 64, 0x120 }, { "0-1:100", 64, 0x1 }, { "007", 64, 0x80 },
	{ "0-31:2", 64, 0x55555555 }, { "0,3,7-11", 64, 0xf89 }, { "0-100", 8, 0xff },
	{ "4294967296", 64, 0 }, { "1-4294967296", 64, ALL - 1 }, { "7,8", 8, 0x80 },
};

static const char *const bad_lists[] = {
	"", "0,", ",0", " 0", "0 ", "+0", "-1", "0--1", "0-", "1-0", "0:2", "0-1:0", "0-1:",
	"0-:1", "0x1", "0-18446744073709551616", "18446744073709551616", "0,,1", "0-1:2:3",
	"a", "1-2-3",
};

Test(cpulist, parses_masks_as_taskset)
{
	for (size_t i = 0; i < sizeof(good_masks) / sizeof(good_masks[0]); i++) {
		cpumask_t m = 0xdead;

		cr_expect_eq(cpumask_parse(good_masks[i].text, good_masks[i].nbits, &m), 0,
			     "mask '%s' refused", good_masks[i].text);
		cr_expect_eq(m, good_masks[i].want, "mask '%s': %lx, want %lx",
			     good_masks[i].text, m, good_masks[i].want);
	}
}

Test(cpulist, refuses_what_taskset_refuses_as_a_mask)
{
	for (size_t i = 0; i < sizeof(bad_masks) / sizeof(bad_masks[0]); i++) {
		cpumask_t m = 0xdead;

		cr_expect_eq(cpumask_parse(bad_masks[i], 64, &m), -EINVAL, "mask '%s'",
			     bad_masks[i]);
		cr_expect_eq(m, 0xdead, "mask '%s' changed the result", bad_masks[i]);
	}
}

Test(cpulist, parses_lists_as_taskset)
{
	for (size_t i = 0; i < sizeof(good_lists) / sizeof(good_lists[0]); i++) {
		cpumask_t m = 0xdead;

		cr_expect_eq(cpulist_parse(good_lists[i].text, good_lists[i].nbits, &m), 0,
			     "list '%s' refused", good_lists[i].text);
		cr_expect_eq(m, good_lists[i].want, "list '%s': %lx, want %lx",
			     good_lists[i].text, m, good_lists[i].want);
	}
}

Test(cpulist, refuses_what_taskset_refuses_as_a_list)
{
	for (size_t i = 0; i < sizeof(bad_lists) / sizeof(bad_lists[0]); i++) {
		cpumask_t m = 0xdead;

		cr_expect_eq(cpulist_parse(bad_lists[i], 64, &m), -EINVAL, "list '%s'",
			     bad_lists[i]);
		cr_expect_eq(m, 0xdead, "list '%s' changed the result", bad_lists[i]);
	}
}

static const struct {
	cpumask_t mask;
	const char *hex, *list;
} printed[] = {
	{ 0x1, "1", "0" }, { 0x3, "3", "0,1" }, { 0x7, "7", "0-2" }, { 0xf, "f", "0-3" },
	{ 0x5, "5", "0,2" }, { 0xd, "d", "0,2,3" }, { 0x1d, "1d", "0,2-4" },
	{ 0x3b, "3b", "0,1,3-5" }, { 0x2d, "2d", "0,2,3,5" }, { 0x16, "16", "1,2,4" },
	{ 0xff, "ff", "0-7" }, { 0x80, "80", "7" }, { 0x6, "6", "1,2" },
	{ 1ul << 63, "8000000000000000", "63" }, { ALL, "ffffffffffffffff", "0-63" },
	{ 0xaaaa, "aaaa", "1,3,5,7,9,11,13,15" }, { 0, "0", "" },
};

Test(cpulist, prints_as_taskset)
{
	for (size_t i = 0; i < sizeof(printed) / sizeof(printed[0]); i++) {
		char buf[CPULIST_BUF_SIZE];

		cr_expect_eq(cpumask_print(buf, sizeof(buf), printed[i].mask),
			     strlen(printed[i].hex));
		cr_expect_str_eq(buf, printed[i].hex);
		cr_expect_eq(cpulist_print(buf, sizeof(buf), printed[i].mask),
			     strlen(printed[i].list));
		cr_expect_str_eq(buf, printed[i].list);
	}
}

/* The longest list there is fits CPULIST_BUF_SIZE (the header says which one it is). */
Test(cpulist, longest_list_fits)
{
	char buf[CPULIST_BUF_SIZE];
	cpumask_t m = 0;

	for (unsigned int cpu = 0; cpu < 64; cpu++)
		if (cpu % 3 != 2)
			m |= 1ul << cpu;
	cr_expect_eq(cpulist_print(buf, sizeof(buf), m), 121);
	cr_expect_lt(cpulist_print(NULL, 0, ALL & ~(1ul << 63)), CPULIST_BUF_SIZE);
}

/* Masks of every density: a few CPUs, about half, nearly all. */
static cpumask_t random_mask(void)
{
	switch (rnd_below(4)) {
	case 0: return rnd() & rnd() & rnd();
	case 1: return rnd();
	case 2: return rnd() | rnd() | rnd();
	default: return rnd_below(2) ? 1ul << rnd_below(64) : ~(1ul << rnd_below(64));
	}
}

/* Items increase, "a-b" only for b >= a + 2, and neighbours are at least two CPUs apart. */
static void check_canonical(const char *list, cpumask_t m, unsigned long long seed)
{
	const char *s = list;
	long prev_last = -2;

	while (*s) {
		char *end;
		long first = strtol(s, &end, 10), last = first;

		if (*end == '-') {
			last = strtol(end + 1, &end, 10);
			cr_assert_geq(last, first + 2, "'%s': short range (mask %lx, seed %llu)",
				      list, m, seed);
		}
		cr_assert_gt(first, prev_last, "'%s': not increasing (seed %llu)", list, seed);
		/* Two separate items side by side are a pair "a,a+1", never longer. */
		if (first == prev_last + 1)
			cr_assert_eq(first, last, "'%s': mergeable (seed %llu)", list, seed);
		prev_last = last;
		s = *end == ',' ? end + 1 : end;
	}
}

Test(cpulist, random_masks_print_and_parse_back)
{
	unsigned long long seed = test_seed("cpulist round trip");
	unsigned int iters = test_iters(20000);

	for (unsigned int i = 0; i < iters; i++) {
		cpumask_t m = random_mask(), back = 0;
		char hex[CPULIST_BUF_SIZE], list[CPULIST_BUF_SIZE], shortbuf[8];
		size_t hlen = cpumask_print(hex, sizeof(hex), m);
		size_t llen = cpulist_print(list, sizeof(list), m);

		cr_assert_eq(hlen, strlen(hex));
		cr_assert_eq(llen, strlen(list));
		cr_assert_eq(cpumask_parse(hex, 64, &back), 0, "'%s' (seed %llu)", hex, seed);
		cr_assert_eq(back, m, "'%s' (seed %llu)", hex, seed);
		if (m) {	/* an empty list is no list */
			cr_assert_eq(cpulist_parse(list, 64, &back), 0, "'%s' (seed %llu)", list,
				     seed);
			cr_assert_eq(back, m, "'%s' (seed %llu)", list, seed);
		}
		check_canonical(list, m, seed);
		/* A short buffer: the text's beginning, NUL-terminated, and its whole length. */
		cr_assert_eq(cpulist_print(shortbuf, sizeof(shortbuf), m), llen);
		cr_assert_eq(strncmp(shortbuf, list, sizeof(shortbuf) - 1), 0);
		cr_assert_eq(strlen(shortbuf),
			     llen < sizeof(shortbuf) ? llen : sizeof(shortbuf) - 1);
	}
}

/* Random items "a", "a-b", "a-b:s" against the CPUs a loop over the same items sets. */
Test(cpulist, random_lists_parse_as_the_items_say)
{
	unsigned long long seed = test_seed("cpulist items");
	unsigned int iters = test_iters(20000);

	for (unsigned int i = 0; i < iters; i++) {
		unsigned int nbits = 1 + (unsigned int)rnd_below(64), items = 1 + rnd_below(5);
		char text[256];
		size_t pos = 0;
		cpumask_t want = 0, got = 0;

		for (unsigned int k = 0; k < items; k++) {
			unsigned long a = rnd_below(80), b = a + rnd_below(20),
				      s = 1 + rnd_below(5);
			int kind = (int)rnd_below(3);

			pos += (size_t)snprintf(text + pos, sizeof(text) - pos, "%s%lu",
						k ? "," : "", a);
			if (kind >= 1)
				pos += (size_t)snprintf(text + pos, sizeof(text) - pos, "-%lu", b);
			if (kind == 2)
				pos += (size_t)snprintf(text + pos, sizeof(text) - pos, ":%lu", s);
			for (unsigned long c = a; c <= (kind ? b : a); c += kind == 2 ? s : 1)
				if (c < nbits)
					want |= 1ul << c;
		}
		cr_assert_eq(cpulist_parse(text, nbits, &got), 0, "'%s' (seed %llu)", text, seed);
		cr_assert_eq(got, want, "'%s' nbits %u: %lx, want %lx (seed %llu)", text, nbits,
			     got, want, seed);
	}
}
