/*
 * The runtime of the undefined-behaviour sanitizer, for `make UBSAN=1` kernels.
 * The compiler instruments shifts, overflows, array indexes, misaligned and null
 * accesses, and calls one of these handlers with a description of the check
 * (source location, types) when it fails. We report like an oops, in Linux's words
 * ("UBSAN: shift-out-of-bounds in kernel/x.c:12:5", the detail, a backtrace) and
 * keep running: undefined behaviour is a bug to fix, not always a reason to stop.
 * This file is compiled without instrumentation (it would call itself).
 */
#include <kernel/oops.h>
#include <kernel/printk.h>
#include <kernel/ubsan.h>

struct source_location {
	const char *file;
	uint32_t line;
	uint32_t column;
};

struct type_descriptor {
	uint16_t kind;		/* 0 integer, 1 float */
	uint16_t info;		/* integers: bit 0 signed, bits 1.. log2(bit width) */
	char name[];
};

struct ubsan_state ubsan_state;

static void report_begin(const char *kind, const struct source_location *loc)
{
	ubsan_state.reports++;
	ubsan_state.last_kind = kind;
	ubsan_state.last_line = loc->line;
	printk(KERN_ERR "================================================================"
			"================\n");
	printk(KERN_ERR "UBSAN: %s in %s:%u:%u\n", kind, loc->file, loc->line, loc->column);
}

static void report_end(void)
{
	dump_stack();
	printk(KERN_ERR "================================================================"
			"================\n");
}

static bool type_signed(const struct type_descriptor *t) { return t->kind == 0 && (t->info & 1); }
static unsigned int type_bits(const struct type_descriptor *t) { return 1u << (t->info >> 1); }

/* Values up to 64 bits are passed in the pointer-sized argument itself. */
static long long sval(const struct type_descriptor *t, uintptr_t v)
{
	unsigned int shift = 64 - type_bits(t);

	return shift < 64 ? (long long)((uint64_t)v << shift) >> shift : (long long)v;
}

struct overflow_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

static void overflow(struct overflow_data *d, uintptr_t lhs, uintptr_t rhs, char op)
{
	report_begin(type_signed(d->type) ? "signed-integer-overflow" : "unsigned-integer-overflow",
		     &d->loc);
	if (type_signed(d->type))
		printk(KERN_ERR "%lld %c %lld cannot be represented in type %s\n",
		       sval(d->type, lhs), op, sval(d->type, rhs), d->type->name);
	else
		printk(KERN_ERR "%llu %c %llu cannot be represented in type %s\n",
		       (unsigned long long)lhs, op, (unsigned long long)rhs, d->type->name);
	report_end();
}

void __ubsan_handle_add_overflow(struct overflow_data *d, uintptr_t a, uintptr_t b) { overflow(d, a, b, '+'); }
void __ubsan_handle_sub_overflow(struct overflow_data *d, uintptr_t a, uintptr_t b) { overflow(d, a, b, '-'); }
void __ubsan_handle_mul_overflow(struct overflow_data *d, uintptr_t a, uintptr_t b) { overflow(d, a, b, '*'); }

void __ubsan_handle_negate_overflow(struct overflow_data *d, uintptr_t v)
{
	report_begin("signed-integer-overflow", &d->loc);
	printk(KERN_ERR "negation of %lld cannot be represented in type %s\n", sval(d->type, v),
	       d->type->name);
	report_end();
}

void __ubsan_handle_divrem_overflow(struct overflow_data *d, uintptr_t lhs, uintptr_t rhs)
{
	report_begin("division-overflow", &d->loc);
	if (rhs == 0)
		printk(KERN_ERR "division by zero\n");
	else
		printk(KERN_ERR "division of %lld by -1 cannot be represented in type %s\n",
		       sval(d->type, lhs), d->type->name);
	report_end();
}

struct shift_data {
	struct source_location loc;
	const struct type_descriptor *lhs_type, *rhs_type;
};

void __ubsan_handle_shift_out_of_bounds(struct shift_data *d, uintptr_t lhs, uintptr_t rhs)
{
	report_begin("shift-out-of-bounds", &d->loc);
	if (type_signed(d->rhs_type) && sval(d->rhs_type, rhs) < 0)
		printk(KERN_ERR "shift exponent %lld is negative\n", sval(d->rhs_type, rhs));
	else if ((unsigned long long)rhs >= type_bits(d->lhs_type))
		printk(KERN_ERR "shift exponent %llu is too large for %u-bit type %s\n",
		       (unsigned long long)rhs, type_bits(d->lhs_type), d->lhs_type->name);
	else
		printk(KERN_ERR "left shift of %lld by %llu places cannot be represented in type "
				"%s\n", sval(d->lhs_type, lhs), (unsigned long long)rhs,
		       d->lhs_type->name);
	report_end();
}

struct out_of_bounds_data {
	struct source_location loc;
	const struct type_descriptor *array_type, *index_type;
};

void __ubsan_handle_out_of_bounds(struct out_of_bounds_data *d, uintptr_t index)
{
	report_begin("array-index-out-of-bounds", &d->loc);
	printk(KERN_ERR "index %lld is out of range for type %s\n", sval(d->index_type, index),
	       d->array_type->name);
	report_end();
}

struct type_mismatch_data {
	struct source_location loc;
	const struct type_descriptor *type;
	uint8_t log_alignment;
	uint8_t type_check_kind;
};

static const char *const check_kinds[] = {
	"load of", "store to", "reference binding to", "member access within",
	"member call on", "constructor call on", "downcast of", "downcast of",
	"upcast of", "cast to virtual base of", "_Nonnull binding to", "dynamic operation on",
};

void __ubsan_handle_type_mismatch_v1(struct type_mismatch_data *d, uintptr_t ptr)
{
	uintptr_t align = (uintptr_t)1 << d->log_alignment;
	const char *what = d->type_check_kind < 12 ? check_kinds[d->type_check_kind] : "access to";

	if (!ptr) {
		report_begin("null-ptr-deref", &d->loc);
		printk(KERN_ERR "%s null pointer of type %s\n", what, d->type->name);
	} else if (ptr & (align - 1)) {
		report_begin("misaligned-access", &d->loc);
		printk(KERN_ERR "%s misaligned address %p for type %s which requires %lu byte "
				"alignment\n", what, (void *)ptr, d->type->name, (unsigned long)align);
	} else {
		report_begin("object-size-mismatch", &d->loc);
		printk(KERN_ERR "%s address %p with insufficient space for an object of type %s\n",
		       what, (void *)ptr, d->type->name);
	}
	report_end();
}

struct invalid_value_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

void __ubsan_handle_load_invalid_value(struct invalid_value_data *d, uintptr_t v)
{
	report_begin("invalid-load", &d->loc);
	printk(KERN_ERR "load of value %llu is not a valid value for type %s\n",
	       (unsigned long long)v, d->type->name);
	report_end();
}

struct loc_only_data {
	struct source_location loc;
};

void __ubsan_handle_builtin_unreachable(struct loc_only_data *d)
{
	report_begin("unreachable", &d->loc);
	panic("UBSAN: execution reached an unreachable program point");
}

void __ubsan_handle_missing_return(struct loc_only_data *d)
{
	report_begin("missing-return", &d->loc);
	panic("UBSAN: execution reached the end of a value-returning function");
}

void __ubsan_handle_vla_bound_not_positive(struct invalid_value_data *d, uintptr_t bound)
{
	report_begin("vla-bound-not-positive", &d->loc);
	printk(KERN_ERR "variable length array bound evaluates to non-positive value %lld\n",
	       sval(d->type, bound));
	report_end();
}

struct nonnull_arg_data {
	struct source_location loc, attr_loc;
	int arg_index;
};

void __ubsan_handle_nonnull_arg(struct nonnull_arg_data *d)
{
	report_begin("nonnull-attribute", &d->loc);
	printk(KERN_ERR "null pointer passed as argument %d, which is declared to never be null\n",
	       d->arg_index);
	report_end();
}

void __ubsan_handle_nonnull_return_v1(struct loc_only_data *d, struct source_location *loc)
{
	(void)loc;
	report_begin("returns-nonnull-attribute", &d->loc);
	printk(KERN_ERR "null pointer returned from function declared to never return null\n");
	report_end();
}

void __ubsan_handle_pointer_overflow(struct loc_only_data *d, uintptr_t base, uintptr_t result)
{
	report_begin("pointer-overflow", &d->loc);
	printk(KERN_ERR "pointer arithmetic on %p overflowed to %p\n", (void *)base, (void *)result);
	report_end();
}

struct invalid_builtin_data {
	struct source_location loc;
	uint8_t kind;
};

void __ubsan_handle_invalid_builtin(struct invalid_builtin_data *d)
{
	report_begin("invalid-builtin-use", &d->loc);
	printk(KERN_ERR "passing zero to %s, which is not a valid argument\n",
	       d->kind == 0 ? "ctz()" : "clz()");
	report_end();
}

void __ubsan_handle_alignment_assumption(struct loc_only_data *d, uintptr_t ptr, uintptr_t align,
					 uintptr_t offset)
{
	report_begin("alignment-assumption", &d->loc);
	printk(KERN_ERR "assumption of %lu byte alignment (offset %lu) for pointer %p failed\n",
	       (unsigned long)align, (unsigned long)offset, (void *)ptr);
	report_end();
}
