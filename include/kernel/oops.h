/*
 * Reporting kernel bugs (kernel/oops.c): die() for a fatal exception, panic() for a
 * state the kernel cannot continue from, WARN_ON() for one it can. The report has
 * Linux's shape (BUG/Oops lines, RIP as symbol+off/size, the registers, CR0-4, a
 * Call Trace from the frame-pointer chain) so students can read real oopses next.
 */
#ifndef KERNEL_OOPS_H
#define KERNEL_OOPS_H

#include <asm/ptrace.h>

extern int oops_in_progress;	/* > 0 while a report prints: printk ignores its lock */
extern int panic_timeout;	/* panic=N: 0 halt forever, > 0 reboot after N s, < 0 at once */

void die(const char *what, struct pt_regs *regs, uint64_t cr2) __noreturn;
/*
 * The same report without the panic, for a fault the kernel survives by ending the task
 * (a kernel thread's stack overflow). False, and nothing printed, if a report is already
 * printing: then the caller must die() instead.
 */
bool oops_report(const char *what, struct pt_regs *regs, uint64_t cr2);
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
void show_regs(const struct pt_regs *regs, uint64_t cr2);
void dump_stack(void);

/*
 * Print "Call Trace:": @rip first (if set), then @guess as a "? " line (if it is a kernel
 * address), then every return address on the saved-RBP chain from @rbp.
 */
void show_trace(uint64_t rip, uint64_t guess, uint64_t rbp);

/* Stop this CPU for good (interrupts off, hlt in a loop). */
void halt_forever(void) __noreturn;

/* The address of this point in the code (GCC's labels-as-values). */
#define _THIS_IP_ ({ __label__ __here; __here: (uint64_t)&&__here; })

#define WARN_ON(cond) ({                                                            \
	bool __c = !!(cond);                                                        \
	if (unlikely(__c))                                                          \
		warn_slowpath(__FILE__, __LINE__, #cond, _THIS_IP_);                \
	__c;                                                                        \
})
void warn_slowpath(const char *file, int line, const char *cond, uint64_t ip);

#define BUG_ON(cond) do {                                                           \
	if (unlikely(cond))                                                         \
		panic("kernel BUG at %s:%d: %s", __FILE__, __LINE__, #cond);        \
} while (0)

/* Why mm/fault.c could not handle the page fault being reported (or NULL). */
extern const char *pf_cause;

#endif
