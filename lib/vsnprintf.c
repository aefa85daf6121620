/*
 * vsnprintf and friends: the format engine (behaviour specified in include/lib/printf.h).
 *
 * How: the format is read left to right. Plain bytes are copied; a conversion is first parsed
 * into a struct spec (flags, width, precision, length, conversion character), which also takes
 * the `*` arguments, then one formatter turns its argument into bytes. Every byte goes through
 * put(), which stores it only while it fits and counts it either way, so truncation is handled
 * in one place and the count is the C99 return value.
 *
 * Invariant: o->pos is the length of the full output so far; bytes [0, min(pos, size)) are
 * stored. At the end buf[min(pos, size - 1)] = NUL, so nothing past buf[size - 1] is touched.
 * Limits: width and precision are clamped to FIELD_MAX; a would-be length above INT_MAX is
 * reported as INT_MAX. Nothing here allocates, sleeps or takes a lock: safe in any context.
 */
#include <lib/printf.h>
#include <lib/string.h>
#include <lib/ctype.h>

#define FIELD_MAX	(1 << 20)	/* largest width or precision honoured, in bytes */

enum {
	F_LEFT	= 1 << 0,	/* '-': pad on the right */
	F_ZERO	= 1 << 1,	/* '0': pad numbers with zeros after the sign and prefix */
	F_PLUS	= 1 << 2,	/* '+': signed conversions always show a sign */
	F_SPACE	= 1 << 3,	/* ' ': a space where a '+' would go */
	F_ALT	= 1 << 4,	/* '#': 0x/0X prefix for hex, leading 0 for octal */
};

enum length {
	LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_PTRDIFF, LEN_INTMAX
};

struct spec {
	unsigned int flags;	/* F_* */
	int width;		/* 0 when absent */
	int precision;		/* -1 when absent */
	enum length len;
	char conv;		/* conversion character; '\0' if the format ended inside the spec */
};

struct out {
	char *buf;
	size_t size;		/* bytes of buf we may write, NUL included */
	size_t pos;		/* bytes produced so far, stored or not */
};

static void put(struct out *o, char c)
{
	if (o->pos < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void put_n(struct out *o, char c, size_t n)
{
	while (n--)
		put(o, c);
}

static void put_mem(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
}

static int clamp_field(unsigned long v)
{
	return v > FIELD_MAX ? FIELD_MAX : (int)v;
}

/* Decimal width or precision; stops growing past FIELD_MAX, so it cannot overflow. */
static const char *parse_number(const char *p, int *n)
{
	unsigned long v = 0;

	for (; isdigit(*p); p++) {
		if (v <= FIELD_MAX)
			v = v * 10 + (unsigned long)(*p - '0');
	}
	*n = clamp_field(v);
	return p;
}

static const char *parse_flags(const char *p, unsigned int *flags)
{
	for (;; p++) {
		switch (*p) {
		case '-':
			*flags |= F_LEFT;
			break;
		case '0':
			*flags |= F_ZERO;
			break;
		case '+':
			*flags |= F_PLUS;
			break;
		case ' ':
			*flags |= F_SPACE;
			break;
		case '#':
			*flags |= F_ALT;
			break;
		default:
			return p;
		}
	}
}

/* A negative `*` width means '-' and its absolute value (computed without overflow). */
static const char *parse_width(const char *p, struct spec *sp, va_list *ap)
{
	int w;

	if (*p != '*')
		return parse_number(p, &sp->width);
	w = va_arg(*ap, int);
	if (w < 0)
		sp->flags |= F_LEFT;
	sp->width = clamp_field(w < 0 ? 0u - (unsigned int)w : (unsigned int)w);
	return p + 1;
}

/* "." alone means precision 0; a negative `*` precision means none was given. */
static const char *parse_precision(const char *p, struct spec *sp, va_list *ap)
{
	int v;

	sp->precision = -1;
	if (*p != '.')
		return p;
	p++;
	if (*p != '*')
		return parse_number(p, &sp->precision);
	v = va_arg(*ap, int);
	sp->precision = v < 0 ? -1 : clamp_field((unsigned long)v);
	return p + 1;
}

static const char *parse_length(const char *p, enum length *len)
{
	switch (*p) {
	case 'h':
		*len = p[1] == 'h' ? LEN_CHAR : LEN_SHORT;
		return *len == LEN_CHAR ? p + 2 : p + 1;
	case 'l':
		*len = p[1] == 'l' ? LEN_LLONG : LEN_LONG;
		return *len == LEN_LLONG ? p + 2 : p + 1;
	case 'z':
		*len = LEN_SIZE;
		return p + 1;
	case 't':
		*len = LEN_PTRDIFF;
		return p + 1;
	case 'j':
		*len = LEN_INTMAX;
		return p + 1;
	default:
		*len = LEN_INT;
		return p;
	}
}

/* p points just past the '%'; returns the position after the conversion character. */
static const char *parse_spec(const char *p, struct spec *sp, va_list *ap)
{
	sp->flags = 0;
	p = parse_flags(p, &sp->flags);
	p = parse_width(p, sp, ap);
	p = parse_precision(p, sp, ap);
	p = parse_length(p, &sp->len);
	sp->conv = *p;
	return *p ? p + 1 : p;
}

/* Arguments are read with exactly the type the length modifier names, as va_arg requires. */
static long long fetch_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		return va_arg(*ap, ssize_t);
	case LEN_PTRDIFF:
		return va_arg(*ap, ptrdiff_t);
	case LEN_INTMAX:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long fetch_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, int);	/* promoted from a narrow type */
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	case LEN_PTRDIFF:
		return (size_t)va_arg(*ap, ptrdiff_t);
	case LEN_INTMAX:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Digits of v, least significant first; returns how many (at least one). */
static int to_digits(unsigned long long v, unsigned int base, bool upper, char *d)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	do {
		d[n++] = set[v % base];
		v /= base;
	} while (v);
	return n;
}

/*
 * The layout of a number is [pad][sign][prefix][zeros][digits][pad]. Precision is the
 * minimum count of digits (so 0 with precision 0 prints none); '0' turns the left padding
 * into zeros, but only when no precision was given and not with '-', as C specifies.
 */
static void format_number(struct out *o, const struct spec *sp, unsigned long long mag, bool neg)
{
	bool is_signed = sp->conv == 'd' || sp->conv == 'i';
	unsigned int base = sp->conv == 'o' ? 8 : (sp->conv == 'x' || sp->conv == 'X') ? 16 : 10;
	char digits[22];	/* 2^64 - 1 has 22 octal digits */
	const char *prefix = "";
	int ndig = 0, zeros, len, pad;
	char sign = 0;

	if (mag || sp->precision != 0)
		ndig = to_digits(mag, base, sp->conv == 'X', digits);
	if (neg)
		sign = '-';
	else if (is_signed && (sp->flags & F_PLUS))
		sign = '+';
	else if (is_signed && (sp->flags & F_SPACE))
		sign = ' ';
	if ((sp->flags & F_ALT) && base == 16 && mag)
		prefix = sp->conv == 'X' ? "0X" : "0x";

	zeros = sp->precision > ndig ? sp->precision - ndig : 0;
	/* '#' octal: the first digit shown must be a 0; add one unless one is there already. */
	if ((sp->flags & F_ALT) && base == 8 && !zeros && (!ndig || digits[ndig - 1] != '0'))
		zeros = 1;

	len = (sign != 0) + (int)strlen(prefix) + zeros + ndig;
	pad = sp->width > len ? sp->width - len : 0;
	if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->precision < 0) {
		zeros += pad;
		pad = 0;
	}

	if (!(sp->flags & F_LEFT))
		put_n(o, ' ', (size_t)pad);
	if (sign)
		put(o, sign);
	put_mem(o, prefix, strlen(prefix));
	put_n(o, '0', (size_t)zeros);
	while (ndig)
		put(o, digits[--ndig]);
	if (sp->flags & F_LEFT)
		put_n(o, ' ', (size_t)pad);
}

static void format_int(struct out *o, const struct spec *sp, va_list *ap)
{
	long long v;

	if (sp->conv != 'd' && sp->conv != 'i') {
		format_number(o, sp, fetch_unsigned(sp, ap), false);
		return;
	}
	v = fetch_signed(sp, ap);
	/* Negate in unsigned arithmetic: -LLONG_MIN does not exist as a long long. */
	format_number(o, sp, v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v, v < 0);
}

/* Text of s, c and p: padded with spaces to the width ('0' does not apply to text). */
static void put_field(struct out *o, const struct spec *sp, const char *s, size_t len)
{
	size_t pad = (size_t)sp->width > len ? (size_t)sp->width - len : 0;

	if (!(sp->flags & F_LEFT))
		put_n(o, ' ', pad);
	put_mem(o, s, len);
	if (sp->flags & F_LEFT)
		put_n(o, ' ', pad);
}

/* The precision bounds how much is read, so "%.*s" works on arrays without a NUL. */
static void format_string(struct out *o, const struct spec *sp, va_list *ap)
{
	const char *s = va_arg(*ap, const char *);

	if (!s)
		s = "(null)";
	put_field(o, sp, s, sp->precision < 0 ? strlen(s) : strnlen(s, (size_t)sp->precision));
}

static void format_char(struct out *o, const struct spec *sp, va_list *ap)
{
	char c = (char)va_arg(*ap, int);

	put_field(o, sp, &c, 1);
}

/* Fixed width, so a column of addresses lines up; precision and '#' do not apply. */
static void format_pointer(struct out *o, const struct spec *sp, va_list *ap)
{
	uintptr_t v = (uintptr_t)va_arg(*ap, void *);
	char text[2 + 2 * sizeof(v)];
	int i;

	text[0] = '0';
	text[1] = 'x';
	for (i = sizeof(text) - 1; i >= 2; i--, v >>= 4)
		text[i] = "0123456789abcdef"[v & 0xf];
	put_field(o, sp, text, sizeof(text));
}

/* fmt points at a '%'; returns where the format continues after this conversion. */
static const char *format_one(struct out *o, const char *fmt, va_list *ap)
{
	struct spec sp;
	const char *end = parse_spec(fmt + 1, &sp, ap);

	switch (sp.conv) {
	case 'd':
	case 'i':
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		format_int(o, &sp, ap);
		break;
	case 's':
		format_string(o, &sp, ap);
		break;
	case 'c':
		format_char(o, &sp, ap);
		break;
	case 'p':
		format_pointer(o, &sp, ap);
		break;
	case '%':
		put(o, '%');
		break;
	default:
		/* Unknown, or the format ended inside the spec: show it as written. */
		put_mem(o, fmt, (size_t)(end - fmt));
		break;
	}
	return end;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .pos = 0 };
	va_list args;

	/* A copy, because only a real va_list object can be passed on by address. */
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt == '%')
			fmt = format_one(&o, fmt, &args);
		else
			put(&o, *fmt++);
	}
	va_end(args);

	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return o.pos > __INT_MAX__ ? __INT_MAX__ : (int)o.pos;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if ((size_t)n < size)
		return n;
	return size ? (int)(size - 1) : 0;
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
