/*
 * An empty symbol table for kernel/ksyms.c in the host benchmarks (the kernel's table
 * is generated at link time): callers in reports print as bare addresses.
 */
#include <stdint.h>

const uint32_t ksym_count = 0;
const uint64_t ksym_addrs[1];
const uint32_t ksym_name_offs[1];
const char ksym_names[1];
