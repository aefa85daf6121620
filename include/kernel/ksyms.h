/*
 * The kernel's own symbol table, for backtraces. scripts/gen-ksyms turns `nm` of the
 * linked kernel into tables (sorted addresses, name offsets, one string blob) that
 * are linked back into the image (the .ksyms section, placed last in .rodata so its
 * size moves nothing before it); see the two-pass link in the Makefile.
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <kernel/compiler.h>

#define KSYM_NAME_LEN 128

/* The generated table (build/ksyms.c). */
extern const uint64_t ksym_addrs[];
extern const uint32_t ksym_name_offs[];
extern const char ksym_names[];
extern const uint32_t ksym_count;

/*
 * Find the function containing @addr. Returns its name and sets *offset (bytes into it)
 * and *size (to the next symbol), or returns NULL when @addr is outside the kernel text.
 */
const char *ksym_lookup(uint64_t addr, uint64_t *offset, uint64_t *size);

/* Address of the symbol called @name (the first, if static functions share it), or 0. */
uint64_t ksym_address(const char *name);

/* "name+0xoff/0xsize", or the bare hex address when unknown (Linux's %pS). */
int sprint_symbol(char *buf, size_t size, uint64_t addr);

#endif
