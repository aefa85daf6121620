/*
 * Oops and panic reports. A kernel bug must be seen, not hidden: die() prints what
 * faulted (the exception, its error code decoded, CR2), where (RIP as symbol+off/size
 * and the code bytes around it), the registers, and how we got there (a Call Trace
 * from the chain of saved frame pointers), then panics. panic() prints the same
 * trace for the caller and stops every CPU, or reboots when panic=N says so.
 * The formats follow Linux's x86_64 oops so the skill carries over.
 */
#include <asm/layout.h>
#include <asm/x86.h>
#include <drivers/serial.h>
#include <kernel/kernel.h>
#include <kernel/kstack.h>
#include <kernel/ksyms.h>
#include <kernel/oops.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <kernel/traps.h>
#include <lib/printf.h>
#include <mm/vmstat.h>
#include <sched/sched.h>

int oops_in_progress;
int panic_timeout;

void halt_forever(void)
{
	for (;;) {
		local_irq_disable();
		halt();
	}
}

extern const char boot_stack[], boot_stack_top[], _text[], _etext[];

/* The stack that holds @addr, if it is one we know: the boot stack, a task's, an IST stack. */
static bool stack_bounds(uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	if (addr >= (uint64_t)boot_stack && addr < (uint64_t)boot_stack_top) {
		*lo = (uint64_t)boot_stack;
		*hi = (uint64_t)boot_stack_top;
		return true;
	}
	if (kstack_bounds(addr, lo, hi))
		return true;
	for (int c = 0; c < NR_CPUS; c++)
		for (int i = 0; i < IST_COUNT; i++) {
			uint64_t base = (uint64_t)cpus[c].ist_stacks[i];

			if (addr >= base && addr < base + IST_STACK_SIZE) {
				*lo = base;
				*hi = base + IST_STACK_SIZE;
				return true;
			}
		}
	return false;
}

/* Who was running: the oops header's PID and Comm (pid 0 "swapper/0" before the scheduler). */
static int current_pid(void)
{
	struct task_struct *p = this_cpu()->current_task;

	return p ? p->pid : 0;
}

static const char *current_comm(void)
{
	struct task_struct *p = this_cpu()->current_task;

	return p ? p->comm : "swapper/0";
}

static void print_frame(uint64_t addr)
{
	char sym[KSYM_NAME_LEN];

	sprint_symbol(sym, sizeof(sym), addr);
	printk(KERN_EMERG " %s\n", sym);
}

#define MAX_FRAMES 24	/* distinct lines; a run of one return address counts once */

static void print_repeats(uint64_t addr, unsigned int times)
{
	char sym[KSYM_NAME_LEN];

	if (times < 2)
		return;
	sprint_symbol(sym, sizeof(sym), addr);
	printk(KERN_EMERG " ... %s repeated %u more times\n", sym, times - 1);
}

void show_trace(uint64_t rip, uint64_t guess, uint64_t rbp)
{
	uint64_t lo, hi, last = 0;
	unsigned int lines = 0, repeats = 0;
	char sym[KSYM_NAME_LEN];

	printk(KERN_EMERG "Call Trace:\n");
	if (rip)
		print_frame(rip);
	if (guess && ksym_lookup(guess, NULL, NULL)) {
		sprint_symbol(sym, sizeof(sym), guess);
		printk(KERN_EMERG " ? %s\n", sym);
	}
	if (!stack_bounds(rbp, &lo, &hi)) {
		printk(KERN_EMERG " (frame pointer 0x%016llx is on no known stack)\n",
		       (unsigned long long)rbp);
		return;
	}
	/*
	 * Each frame is [saved rbp][return address]; a valid chain stays inside one
	 * stack and moves strictly up it. RBP = 0 (set by boot/entry64.S) ends it.
	 * Deep recursion shows as one line and a repeat count, so the trace still
	 * reaches the function that started it.
	 */
	while (rbp && rbp >= lo && rbp + 16 <= hi && !(rbp & 7)) {
		uint64_t next = ((uint64_t *)rbp)[0];
		uint64_t ret = ((uint64_t *)rbp)[1];

		if (ret == last) {
			repeats++;
		} else {
			print_repeats(last, repeats);
			if (lines++ == MAX_FRAMES) {
				printk(KERN_EMERG " ... (more frames not shown)\n");
				return;
			}
			print_frame(ret);
			last = ret;
			repeats = 1;
		}
		if (next <= rbp)
			break;
		rbp = next;
	}
	print_repeats(last, repeats);
}

void dump_stack(void)
{
	show_trace(0, 0, (uint64_t)__builtin_frame_address(0));
}

/* Print the code bytes around RIP, marking the faulting one <xx>, if they are kernel text. */
static void show_code(uint64_t rip)
{
	const uint8_t *p = (const uint8_t *)rip;
	char line[3 * 64 + 16];
	int len = 0;

	if (rip < (uint64_t)_text + 42 || rip > (uint64_t)_etext - 22) {
		printk(KERN_EMERG "Code: Unable to access opcode bytes at 0x%016llx.\n",
		       (unsigned long long)rip);
		return;
	}
	for (int i = -42; i < 22; i++)
		len += scnprintf(line + len, sizeof(line) - len, i == 0 ? "<%02x> " : "%02x ",
				 p[i]);
	printk(KERN_EMERG "Code: %s\n", line);
}

/*
 * A call through a bad pointer lands outside kernel text before the callee could set up
 * a frame: the caller's return address is then the word on top of the stack. Shown with
 * a "?" as Linux does for entries found by looking rather than by following frames.
 */
static uint64_t caller_on_stack(const struct pt_regs *regs)
{
	uint64_t lo, hi;

	if (ksym_lookup(regs->rip, NULL, NULL) || !stack_bounds(regs->rsp, &lo, &hi) ||
	    regs->rsp + 8 > hi)
		return 0;
	return *(const uint64_t *)regs->rsp;
}

void show_regs(const struct pt_regs *regs, uint64_t cr2)
{
	char sym[KSYM_NAME_LEN];

	sprint_symbol(sym, sizeof(sym), regs->rip);
	printk(KERN_EMERG "CPU: %u PID: %d Comm: %s %s\n", this_cpu()->id, current_pid(),
	       current_comm(), kernel_version);
	printk(KERN_EMERG "RIP: %04llx:%s\n", (unsigned long long)regs->cs, sym);
	show_code(regs->rip);
	printk(KERN_EMERG "RSP: %04llx:%016llx EFLAGS: %08llx\n", (unsigned long long)regs->ss,
	       (unsigned long long)regs->rsp, (unsigned long long)regs->rflags);
	printk(KERN_EMERG "RAX: %016llx RBX: %016llx RCX: %016llx\n", (unsigned long long)regs->rax,
	       (unsigned long long)regs->rbx, (unsigned long long)regs->rcx);
	printk(KERN_EMERG "RDX: %016llx RSI: %016llx RDI: %016llx\n", (unsigned long long)regs->rdx,
	       (unsigned long long)regs->rsi, (unsigned long long)regs->rdi);
	printk(KERN_EMERG "RBP: %016llx R08: %016llx R09: %016llx\n", (unsigned long long)regs->rbp,
	       (unsigned long long)regs->r8, (unsigned long long)regs->r9);
	printk(KERN_EMERG "R10: %016llx R11: %016llx R12: %016llx\n", (unsigned long long)regs->r10,
	       (unsigned long long)regs->r11, (unsigned long long)regs->r12);
	printk(KERN_EMERG "R13: %016llx R14: %016llx R15: %016llx\n", (unsigned long long)regs->r13,
	       (unsigned long long)regs->r14, (unsigned long long)regs->r15);
	printk(KERN_EMERG "FS:  %016llx GS:  %016llx\n", (unsigned long long)rdmsr(MSR_FS_BASE),
	       (unsigned long long)rdmsr(MSR_GS_BASE));
	printk(KERN_EMERG "CR0: %016llx CR2: %016llx CR3: %016llx CR4: %016llx\n",
	       (unsigned long long)read_cr0(), (unsigned long long)cr2,
	       (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	show_trace(regs->rip, caller_on_stack(regs), regs->rbp);
}

const char *pf_cause;

/* The #PF preamble, as Linux words it: what access, by whom, and why it failed. */
static void show_fault_oops(const struct pt_regs *regs, uint64_t cr2)
{
	uint64_t e = regs->error_code;
	const char *access = (e & X86_PF_INSTR) ? "instruction fetch" :
			     (e & X86_PF_WRITE) ? "write access" : "read access";
	const char *why = !(e & X86_PF_PROT) ? "not-present page" :
			  (e & X86_PF_RSVD) ? "reserved bit violation" :
			  (e & X86_PF_PK) ? "protection keys violation" : "permissions violation";

	if (!user_mode(regs) && cr2 < PAGE_SIZE)
		printk(KERN_EMERG "BUG: kernel NULL pointer dereference, address: %016llx\n",
		       (unsigned long long)cr2);
	else
		printk(KERN_EMERG "BUG: unable to handle page fault for address: %016llx\n",
		       (unsigned long long)cr2);
	printk(KERN_EMERG "#PF: %s %s in %s mode\n", (e & X86_PF_USER) ? "user" : "supervisor",
	       access, user_mode(regs) ? "user" : "kernel");
	printk(KERN_EMERG "#PF: error_code(0x%04llx) - %s\n", (unsigned long long)e, why);
	if (pf_cause)
		printk(KERN_EMERG "#PF: the fault handler says: %s\n", pf_cause);
}

/* Exceptions whose error code is a segment selector: decode it. */
static void show_selector_error(const struct pt_regs *regs)
{
	uint64_t e = regs->error_code;
	static const char *const tables[] = { "GDT", "IDT", "LDT", "IDT" };

	if (e == 0)
		return;
	printk(KERN_EMERG "%s: error_code(0x%04llx) - selector index %llu in the %s%s\n",
	       exception_name(regs->vector), (unsigned long long)e, (unsigned long long)(e >> 3),
	       tables[(e >> 1) & 3], (e & 1) ? ", raised by an external event" : "");
}

static void print_oops(const char *what, struct pt_regs *regs, uint64_t cr2)
{
	if (regs->vector == X86_TRAP_PF)
		show_fault_oops(regs, cr2);
	else if (regs->vector == X86_TRAP_TS || regs->vector == X86_TRAP_NP ||
		 regs->vector == X86_TRAP_SS || regs->vector == X86_TRAP_GP)
		show_selector_error(regs);
	count_vm_event(OOPS_COUNT);	/* globally and for the task it happened in */
	if (this_cpu()->current_task)
		this_cpu()->current_task->oopses++;
	printk(KERN_EMERG "Oops: %s: %04llx [#%lu] SMP\n", what, (unsigned long long)regs->error_code,
	       vm_event_sum(OOPS_COUNT));
	show_regs(regs, cr2);
	printk(KERN_EMERG "---[ end trace 0000000000000000 ]---\n");
}

void die(const char *what, struct pt_regs *regs, uint64_t cr2)
{
	local_irq_disable();
	if (oops_in_progress++) {
		/* A fault while reporting a fault: say so and stop before it loops. */
		printk(KERN_EMERG "Fixing recursive fault (%s at RIP %016llx) but reboot is needed!\n",
		       what, (unsigned long long)regs->rip);
		halt_forever();
	}
	serial_console_emergency();
	print_oops(what, regs, cr2);
	panic("Fatal exception");
}

bool oops_report(const char *what, struct pt_regs *regs, uint64_t cr2)
{
	if (oops_in_progress++) {
		oops_in_progress--;
		return false;
	}
	print_oops(what, regs, cr2);
	oops_in_progress--;
	return true;
}

static void panic_reboot(void)
{
	if (panic_timeout > 0) {
		printk(KERN_EMERG "Rebooting in %d seconds..\n", panic_timeout);
		mdelay((uint64_t)panic_timeout * 1000);
	}
	machine_restart();
}

void panic(const char *fmt, ...)
{
	static char buf[256];
	va_list ap;

	local_irq_disable();
	oops_in_progress++;
	serial_console_emergency();
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk(KERN_EMERG "Kernel panic - not syncing: %s\n", buf);
	if (oops_in_progress == 1) {	/* a plain panic; from die(), the report is printed */
		struct pt_regs regs;

		/* Report the caller: its RIP, and the frame chain from its frame up. */
		capture_regs(&regs);
		regs.rip = (uint64_t)__builtin_return_address(0);
		regs.rbp = *(uint64_t *)__builtin_frame_address(0);
		regs.rsp = (uint64_t)__builtin_frame_address(0) + 16;
		show_regs(&regs, read_cr2());
	}
	printk(KERN_EMERG "---[ end Kernel panic - not syncing: %s ]---\n", buf);
	if (panic_timeout != 0)
		panic_reboot();
	/* Other CPUs get an NMI to stop here once SMP exists. */
	halt_forever();
}

void warn_slowpath(const char *file, int line, const char *cond, uint64_t ip)
{
	char sym[KSYM_NAME_LEN];

	sprint_symbol(sym, sizeof(sym), ip);
	printk(KERN_WARNING "WARNING: CPU: %u PID: %d at %s:%d %s: %s\n", this_cpu()->id,
	       current_pid(), file, line, sym, cond);
	dump_stack();
	printk(KERN_WARNING "---[ end trace 0000000000000000 ]---\n");
}
