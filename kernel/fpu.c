/*
 * User FPU, SSE and AVX state. At boot, fpu_init turns the units on for user code (CR0.MP
 * set, EM and TS clear; CR4.OSFXSR and OSXMMEXCPT, so SSE works and its exceptions are
 * #XM, not #UD) and, where CPUID says the CPU has XSAVE, enables XSAVE (CR4.OSXSAVE) for
 * the x87, SSE and AVX components (XCR0), whose save area size CPUID leaf 0xD then gives.
 * Without XSAVE the area is FXSAVE's fixed 512 bytes.
 * Policy: eager switching. The kernel never touches these registers (-mgeneral-regs-only),
 * so a process's registers stay valid in the CPU while kernel threads run; still, every
 * switch away from a process saves them and every switch to one loads them: two
 * instructions, simple to reason about. Linux defers the load to the return to user mode.
 * The initial state (exec) is the architectural reset one: FCW 0x37f (all x87 exceptions
 * masked, double extended precision), MXCSR 0x1f80 (all SSE exceptions masked), every
 * register zero; in an XSAVE area, XSTATE_BV = 0 says "all components in their init state".
 */
#define pr_fmt(fmt) "fpu: " fmt

#include <asm/fpu.h>
#include <asm/uaccess.h>
#include <asm/x86.h>
#include <kernel/oops.h>
#include <kernel/preempt.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/slab.h>
#include <sched/task.h>

#define X86_CR0_MP		(1ull << 1)
#define X86_CR0_EM		(1ull << 2)
#define X86_CR0_TS		(1ull << 3)
#define X86_CR4_OSFXSR		(1ull << 9)
#define X86_CR4_OSXMMEXCPT	(1ull << 10)
#define X86_CR4_OSXSAVE		(1ull << 18)
#define XFEATURE_MASK_USED	0x7ull		/* x87, SSE, AVX */
#define FXSAVE_SIZE		512
#define FCW_OFFSET		0		/* u16 in the legacy area */
#define MXCSR_OFFSET		24		/* u32 */

static bool use_xsave;
static uint64_t xfeatures;
static unsigned int state_size = FXSAVE_SIZE;
static uint32_t mxcsr_mask = 0xffbf;	/* the default when FXSAVE reports 0 */
static struct kmem_cache *fpu_cachep;

static inline void xsetbv(uint32_t index, uint64_t v)
{
	__asm__ volatile("xsetbv" :: "c"(index), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* The MXCSR bits this CPU accepts: FXSAVE stores them at offset 28 (0 means 0xffbf). */
static uint32_t read_mxcsr_mask(void)
{
	static uint8_t area[FXSAVE_SIZE] __aligned(16);
	uint32_t mask;

	__asm__ volatile("fxsave64 %0" : "=m"(area));
	mask = *(uint32_t *)(area + 28);
	return mask ? mask : 0xffbf;
}

/* An AP: the XSAVE features the BSP enabled (CR4.OSXSAVE comes with the BSP's CR4). */
void fpu_secondary_init(void)
{
	if (xfeatures)
		xsetbv(0, xfeatures);
}

void fpu_init(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("mov %0, %%cr0" :: "r"((read_cr0() | X86_CR0_MP) &
						~(X86_CR0_EM | X86_CR0_TS)));
	write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
	cpuid(1, &a, &b, &c, &d);
	if (c & (1u << 26)) {		/* XSAVE */
		cpuid_count(0xd, 0, &a, &b, &c, &d);
		xfeatures = (((uint64_t)d << 32) | a) & XFEATURE_MASK_USED;
		write_cr4(read_cr4() | X86_CR4_OSXSAVE);
		xsetbv(0, xfeatures);
		cpuid_count(0xd, 0, &a, &b, &c, &d);
		state_size = b;		/* for the features XCR0 now enables */
		use_xsave = true;
	}
	mxcsr_mask = read_mxcsr_mask();
	fpu_cachep = kmem_cache_create("fpu_state", state_size, 64, 0, NULL);
	if (!fpu_cachep)
		panic("fpu: no memory for the state cache");
	pr_info("%s, features 0x%llx, %u-byte state per process\n", fpu_mode(),
		(unsigned long long)(use_xsave ? xfeatures : 3), state_size);
}

unsigned int fpu_state_size(void)
{
	return state_size;
}

/*
 * FXRSTOR faults on reserved MXCSR bits; XRSTOR also on XSTATE_BV bits XCR0 lacks, on a
 * compacted-format XCOMP_BV and on nonzero reserved header bytes. Clear them all.
 */
static void sanitize(void *state)
{
	uint8_t *b = state;

	*(uint32_t *)(b + MXCSR_OFFSET) &= mxcsr_mask;
	if (use_xsave) {
		*(uint64_t *)(b + FXSAVE_SIZE) &= xfeatures;		/* XSTATE_BV */
		memset(b + FXSAVE_SIZE + 8, 0, 56);			/* XCOMP_BV, reserved */
	}
}

const char *fpu_mode(void)
{
	return use_xsave ? "xsave" : "fxsave";
}

static void init_state(void *buf)
{
	memset(buf, 0, state_size);
	*(uint16_t *)((char *)buf + FCW_OFFSET) = 0x37f;
	*(uint32_t *)((char *)buf + MXCSR_OFFSET) = 0x1f80;
}

static void save(void *buf)
{
	if (use_xsave)
		__asm__ volatile("xsave64 (%0)" :: "r"(buf), "a"((uint32_t)xfeatures),
				 "d"((uint32_t)(xfeatures >> 32)) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" :: "r"(buf) : "memory");
}

static void restore(const void *buf)
{
	if (use_xsave)
		__asm__ volatile("xrstor64 (%0)" :: "r"(buf), "a"((uint32_t)xfeatures),
				 "d"((uint32_t)(xfeatures >> 32)) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" :: "r"(buf) : "memory");
}

/*
 * The area is filled before @p->fpu points at it: @p may be current (a kernel thread
 * becoming a process), and a preemption in between would XSAVE into the uninitialised
 * area, which leaves its header's XCOMP_BV and reserved bytes as the slab left them, and
 * the XRSTOR of the switch back would fault on them.
 */
int fpu_alloc(struct task_struct *p, const struct task_struct *copy_of)
{
	void *state = kmem_cache_alloc(fpu_cachep, GFP_KERNEL);

	if (!state)
		return -ENOMEM;
	if (copy_of && copy_of->fpu)
		memcpy(state, copy_of->fpu, state_size);
	else
		init_state(state);
	barrier();		/* the compiler must not publish before the fill */
	p->fpu = state;
	return 0;
}

void fpu_free(struct task_struct *p)
{
	if (p->fpu)
		kmem_cache_free(fpu_cachep, p->fpu);
	p->fpu = NULL;
}

/*
 * Current's area is the one a switch away saves into and a switch back loads from, so
 * changing it and loading it must happen with preemption off: a switch in the middle
 * would save the live registers over half of the new contents.
 */
void fpu_reset_current(void)
{
	preempt_disable();
	init_state(current->fpu);
	restore(current->fpu);
	preempt_enable();
}

/*
 * sigreturn: the area the signal frame holds becomes the registers. It is copied into a
 * fresh area (user memory may fault, so preemptibly), made safe, and swapped in.
 */
int fpu_restore_from_user(const void __user *src)
{
	void *state = kmem_cache_alloc(fpu_cachep, GFP_KERNEL), *old;

	if (!state)
		return -ENOMEM;
	if (copy_from_user(state, src, state_size)) {
		kmem_cache_free(fpu_cachep, state);
		return -EFAULT;
	}
	sanitize(state);
	preempt_disable();
	old = current->fpu;
	current->fpu = state;
	restore(state);
	preempt_enable();
	kmem_cache_free(fpu_cachep, old);
	return 0;
}

void fpu_save_current(void)
{
	if (current->fpu)
		save(current->fpu);
}

void fpu_switch(struct task_struct *prev, struct task_struct *next)
{
	if (prev->fpu && prev->state != TASK_DEAD)
		save(prev->fpu);
	if (next->fpu)
		restore(next->fpu);
}
