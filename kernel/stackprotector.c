/*
 * Stack protector support. With -fstack-protector-strong the compiler puts a copy
 * of __stack_chk_guard (the "canary") between a function's arrays and its return
 * address and checks it before returning; an overflow of the array changes it and
 * the check calls __stack_chk_fail(). A fixed canary could be written back by an
 * attacker, so boot_stack_protector_init() replaces it with a random value early in
 * kmain: RDRAND where the CPU has it, else the TSC. Changing it is safe while no
 * protected function other than kmain (which never returns) is on the stack.
 * This file itself is built without the protector: it changes the canary under
 * its own feet.
 */
#include <asm/cpufeature.h>
#include <asm/x86.h>
#include <kernel/kernel.h>
#include <kernel/oops.h>
#include <kernel/ksyms.h>

/* Used by the compiler (-mstack-protector-guard=global). Nonzero even before seeding. */
uint64_t __stack_chk_guard = 0x2f8a9d3c5b1e7064ull;
bool stack_canary_from_rdrand;

static bool rdrand64(uint64_t *v)
{
	if (!boot_cpu.rdrand)
		return false;
	for (int i = 0; i < 10; i++) {	/* the DRNG may be briefly exhausted: retry */
		uint8_t ok;

		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

void boot_stack_protector_init(void)
{
	uint64_t seed;

	stack_canary_from_rdrand = rdrand64(&seed);
	if (!stack_canary_from_rdrand)
		seed = rdtsc() * 0x9e3779b97f4a7c15ull;	/* spread the TSC's low bits */
	/* A zero low byte stops string overflows from copying past the canary. */
	__stack_chk_guard = seed & ~0xffull;
}

void __stack_chk_fail(void)
{
	char sym[KSYM_NAME_LEN];

	sprint_symbol(sym, sizeof(sym), (uint64_t)__builtin_return_address(0));
	panic("stack-protector: Kernel stack is corrupted in: %s", sym);
}
