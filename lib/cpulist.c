/*
 * CPU masks and CPU lists as text, read and written as util-linux's taskset does
 * (include/lib/cpulist.h has the two notations). The rules below were taken from how
 * taskset 2.38 behaves, one input at a time, and the host tests hold those cases:
 *   mask: "", "0x" and "0" parse (to no CPU: sched_setaffinity refuses it, not the
 *         parser); "0X3", ",1", "1,,1" and "g" do not; "1," does.
 *   list: "", "0,", ",0", " 0", "+0", "0-", "1-0", "0:2" and "0-1:0" do not parse;
 *         "00", "1,0" and "0-3,2" (repeats and overlaps) do.
 * One deliberate difference: taskset reads a list's numbers into 32 bits, so "4294967296"
 * wraps to CPU 0; here a number that fits an unsigned long is a CPU past @nbits (ignored)
 * and a longer one does not parse.
 */
#include <lib/cpulist.h>
#include <lib/errno.h>
#include <lib/string.h>

/* The CPUs of @mask below @nbits (nbits may be the whole word). */
static cpumask_t keep_bits(cpumask_t mask, unsigned int nbits)
{
	return nbits >= 8 * sizeof(mask) ? mask : mask & ((1ul << nbits) - 1);
}

int cpumask_parse(const char *s, unsigned int nbits, cpumask_t *mask)
{
	size_t len = 0, i;
	unsigned int bit = 0;	/* the CPU of the next digit's lowest bit, right to left */
	cpumask_t m = 0;

	if (s[0] == '0' && s[1] == 'x')
		s += 2;		/* only a lowercase x, as taskset: "0X3" is refused */
	while (s[len])
		len++;
	/* From the last digit, which holds CPUs 0-3, to the first. */
	for (i = len; i-- > 0; bit += 4) {
		int v;

		/*
		 * A comma is a separator after a digit (sysfs writes one every 32 CPUs): skip
		 * it, and the digit before it must be one ("1,,1" and ",1" are refused).
		 */
		if (s[i] == ',') {
			if (i == 0)
				return -EINVAL;
			i--;
		}
		v = hex_to_bin(s[i]);
		if (v < 0)
			return -EINVAL;
		/* Bits at or past @nbits are dropped, also those past the word. */
		if (bit < 8 * sizeof(m))
			m |= (cpumask_t)v << bit;
	}
	*mask = keep_bits(m, nbits);
	return 0;
}

/*
 * A decimal number at *s (digits only: no sign, no space), moving *s past it. False if
 * there is none or it does not fit an unsigned long.
 */
static bool next_number(const char **s, unsigned long *v)
{
	const char *p = *s;
	unsigned long n = 0;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned long d = (unsigned long)(*p - '0');

		if (n > (~0ul - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*s = p;
	*v = n;
	return true;
}

/* CPUs first, first + stride, ... up to last, those below @nbits. */
static cpumask_t range_bits(unsigned long first, unsigned long last, unsigned long stride,
			    unsigned int nbits)
{
	cpumask_t m = 0;

	for (unsigned long cpu = first; cpu <= last && cpu < nbits; cpu += stride)
		m |= 1ul << cpu;
	return m;
}

int cpulist_parse(const char *s, unsigned int nbits, cpumask_t *mask)
{
	cpumask_t m = 0;

	if (nbits > 8 * sizeof(m))
		nbits = 8 * sizeof(m);
	/* Items "A", "A-B" or "A-B:S", one comma between two: no empty item anywhere. */
	for (;;) {
		unsigned long first, last, stride = 1;

		if (!next_number(&s, &first))
			return -EINVAL;
		last = first;
		if (*s == '-') {
			s++;
			if (!next_number(&s, &last) || last < first)
				return -EINVAL;
			if (*s == ':') {
				s++;
				if (!next_number(&s, &stride) || stride == 0)
					return -EINVAL;
			}
		}
		m |= range_bits(first, last, stride, nbits);
		if (*s == '\0')
			break;
		if (*s++ != ',')
			return -EINVAL;
	}
	*mask = m;
	return 0;
}

/* ---- printing ----------------------------------------------------------------------------- */

/* Append @c at *pos if it fits with a NUL after it; *pos counts every character anyway. */
static void put_char(char *buf, size_t size, size_t *pos, char c)
{
	if (*pos + 1 < size)
		buf[*pos] = c;
	(*pos)++;
}

static void put_number(char *buf, size_t size, size_t *pos, unsigned int n)
{
	char digits[10];	/* any unsigned int */
	int k = 0;

	do {
		digits[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (k)
		put_char(buf, size, pos, digits[--k]);
}

static size_t terminate(char *buf, size_t size, size_t pos)
{
	if (size)
		buf[pos < size ? pos : size - 1] = '\0';
	return pos;
}

size_t cpumask_print(char *buf, size_t size, cpumask_t mask)
{
	static const char hex[] = "0123456789abcdef";
	int shift = 60;		/* the highest digit of the word */
	size_t pos = 0;

	while (shift > 0 && !((mask >> shift) & 0xf))
		shift -= 4;	/* no leading zeros, but one "0" for an empty mask */
	for (; shift >= 0; shift -= 4)
		put_char(buf, size, &pos, hex[(mask >> shift) & 0xf]);
	return terminate(buf, size, pos);
}

size_t cpulist_print(char *buf, size_t size, cpumask_t mask)
{
	const unsigned int nbits = 8 * sizeof(mask);
	size_t pos = 0;

	for (unsigned int cpu = 0; cpu < nbits; cpu++) {
		unsigned int last = cpu;

		if (!((mask >> cpu) & 1))
			continue;
		while (last + 1 < nbits && ((mask >> (last + 1)) & 1))
			last++;		/* the run of CPUs that starts here ends at @last */
		if (pos)
			put_char(buf, size, &pos, ',');
		put_number(buf, size, &pos, cpu);
		/* Two in a row are listed, three or more are a range. */
		if (last > cpu) {
			put_char(buf, size, &pos, last - cpu == 1 ? ',' : '-');
			put_number(buf, size, &pos, last);
		}
		cpu = last;
	}
	return terminate(buf, size, pos);
}
