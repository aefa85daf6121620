/*
 * What the UBSAN runtime (kernel/ubsan.c) has reported, for tests.
 */
#ifndef KERNEL_UBSAN_H
#define KERNEL_UBSAN_H

#include <kernel/compiler.h>

struct ubsan_state {
	unsigned int reports;
	const char *last_kind;	/* "shift-out-of-bounds" ... */
	unsigned int last_line;
};
extern struct ubsan_state ubsan_state;

#endif
