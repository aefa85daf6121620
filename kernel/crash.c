/*
 * Deliberate kernel bugs, to see how the kernel reports them (in the spirit of
 * Linux's lkdtm). Run one with the shell's `crash KIND` or at boot with crash=KIND.
 * Each lives in its own non-inlined function so the oops's RIP and Call Trace name
 * it. The survivable ones (int3, warn, stray irq, ubsan) return to the shell.
 */
#define pr_fmt(fmt) "crash: " fmt

#include <kernel/console.h>
#include <kernel/kernel.h>
#include <kernel/oops.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/string.h>

/* Volatile so the compiler cannot see through the bugs and drop or "fix" them. */
static volatile uint64_t zero;

__noinline void crash_null_deref(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(zero + 0x10);

	(void)*p;
}

__noinline void crash_wild_write(void)
{
	*(volatile uint64_t *)(0xdead000000ull + zero) = 1;	/* mapped by nothing */
}

__noinline void crash_null_call(void)
{
	void (*volatile fn)(void) = (void (*)(void))zero;

	fn();	/* RIP becomes 0: the report must still show who called */
}

__noinline void crash_invalid_opcode(void)
{
	__asm__ volatile("ud2");
}

__noinline void crash_divide_error(void)
{
	uint64_t q, r;

	/* An asm div: a C division by zero is undefined, so the compiler may do anything. */
	__asm__ volatile("divq %4" : "=a"(q), "=d"(r) : "a"(1ull), "d"(0ull), "r"(zero));
}

__noinline void crash_general_protection(void)
{
	(void)*(volatile uint64_t *)(0x8000000000000000ull + zero);	/* non-canonical */
}

/* Each frame holds a 512-byte array: the 16 KiB boot stack is gone after ~30 calls. */
__noinline uint64_t crash_recurse(uint64_t depth)
{
	volatile uint8_t pad[512];

	pad[0] = (uint8_t)depth;
	if (depth == UINT64_MAX)	/* never true; tells the compiler the recursion can end */
		return 0;
	return crash_recurse(depth + 1) + pad[0];
}

__noinline void crash_stack_overflow(void)
{
	crash_recurse(zero);
}

__noinline void crash_stackprotector(void)
{
	volatile char buf[8];

	/* Write past the array over the canary, the way a bad strcpy would. */
	for (volatile unsigned int i = 0; i < 32; i++)
		buf[i] = 'A';
	__asm__ volatile("" :: "r"(buf) : "memory");	/* buf is used: keep the writes */
}

__noinline void crash_int3(void)
{
	__asm__ volatile("int3");
}

__noinline void crash_warn(void)
{
	WARN_ON(zero == 0);
}

__noinline void crash_stray_irq(void)
{
	__asm__ volatile("int $37");	/* IRQ 5's vector: no driver asked for it */
}

__noinline void crash_ubsan(void)
{
	volatile int shift = 40;

	pr_info("1 << %d = %d\n", shift, 1 << shift);
}

__noinline void crash_panic(void)
{
	panic("crash test requested");
}

struct crash_kind {
	const char *name;
	void (*fn)(void);
	const char *what;
};

static const struct crash_kind kinds[] = {
	{ "pf", crash_null_deref, "read through a NULL pointer (#PF)" },
	{ "wild", crash_wild_write, "write to an unmapped address (#PF)" },
	{ "nullcall", crash_null_call, "call through a NULL function pointer (#PF at RIP 0)" },
	{ "ud", crash_invalid_opcode, "execute ud2 (#UD)" },
	{ "de", crash_divide_error, "divide by zero (#DE)" },
	{ "gp", crash_general_protection, "touch a non-canonical address (#GP)" },
	{ "stack", crash_stack_overflow, "recurse until the stack overflows (#DF)" },
	{ "stackprot", crash_stackprotector, "overwrite the stack canary" },
	{ "panic", crash_panic, "call panic()" },
	{ "int3", crash_int3, "breakpoint: reported, survivable" },
	{ "warn", crash_warn, "WARN_ON: reported, survivable" },
	{ "stray", crash_stray_irq, "an interrupt nobody handles: survivable" },
	{ "ubsan", crash_ubsan, "undefined shift: reported by UBSAN=1 kernels" },
};

void crash_run(const char *kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (strcmp(kinds[i].name, kind) == 0) {
			pr_emerg("triggering '%s': %s\n", kinds[i].name, kinds[i].what);
			kinds[i].fn();
			pr_info("'%s' survived\n", kinds[i].name);
			return;
		}
	}
	pr_err("unknown crash kind '%s'\n", kind);
}

static int cmd_crash(int argc, char **argv)
{
	if (argc != 2) {
		for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
			console_printf("  %-10s %s\n", kinds[i].name, kinds[i].what);
		return -EINVAL;
	}
	crash_run(argv[1]);
	return 0;
}
SHELL_COMMAND(crash, cmd_crash, "crash KIND", "break the kernel on purpose, to see the report");
