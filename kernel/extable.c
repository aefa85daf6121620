/*
 * The exception table: lib/usercopy.S lists each instruction that may fault on a user
 * address together with where to continue if it does. kernel/traps.c asks here before it
 * calls a kernel-mode fault an oops; a hit moves RIP to the fixup, which returns an error
 * to the system call instead. The table is tiny (a few entries), so a linear search.
 */
#include <asm/ptrace.h>
#include <asm/uaccess.h>

struct exception_table_entry {
	uint64_t insn, fixup;
};

extern const struct exception_table_entry __start___ex_table[], __stop___ex_table[];

bool fixup_exception(struct pt_regs *regs)
{
	for (const struct exception_table_entry *e = __start___ex_table; e < __stop___ex_table; e++) {
		if (e->insn == regs->rip) {
			regs->rip = e->fixup;
			return true;
		}
	}
	return false;
}
