/*
 * Ring 3 and the system-call path (ktest=user), with tiny programs in machine code
 * (tests/kernel/user_blobs.S) copied into fresh address spaces: each runs as a child of
 * the test, which reaps it with kernel_wait4 and checks the wait status. They prove:
 * syscall/sysret in and out (exit_group's code arrives), a NULL dereference and an
 * invalid opcode kill only the process, with SIGSEGV/SIGILL and the core flag, and the
 * segfault line is logged; bad user pointers (unmapped, kernel) give -EFAULT, not an oops;
 * an unknown call gives -ENOSYS; fork gives the child a copy-on-write copy (each sees its
 * own value) and wait4 reaps it; signal handlers get siginfo and a ucontext whose edits
 * rt_sigreturn brings back (for a kill and for a fault); an ignored SIGCHLD does not cut
 * short a wait4 for another child; brk grows the heap; the SSE registers survive switches to
 * another process that changes them; a fork bomb stops at the process limit and SIGKILL
 * ends its sleeping children; and no page is lost once every process is gone.
 */
#include <kernel/ktest.h>
#include <kernel/log.h>
#include <kernel/process.h>
#include <kernel/signal.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/fault.h>
#include <mm/mmu_context.h>
#include <mm/mmzone.h>
#include <mm/vmalloc.h>
#include <mm/vma.h>
#include <sched/task.h>

#define BLOB_ADDR	0x400000ul
#define STACK_TOP	0x7ffffff00000ul
#define STACK_SIZE	(64ul << 10)

#define DECLARE_BLOB(name) extern const char blob_##name[], blob_##name##_end[]
DECLARE_BLOB(exit42);
DECLARE_BLOB(segv);
DECLARE_BLOB(ud2);
DECLARE_BLOB(efault);
DECLARE_BLOB(fork);
DECLARE_BLOB(brk);
DECLARE_BLOB(fpu);
DECLARE_BLOB(fpu_clobber);
DECLARE_BLOB(enosys);
DECLARE_BLOB(forkbomb);
DECLARE_BLOB(sighandler);
DECLARE_BLOB(sigchld_wait);

struct blob {
	const char *start, *end;
};

/* The child: an address space with the code (R+X), a stack and a heap start; then ring 3. */
static int run_blob(void *arg)
{
	const struct blob *b = arg;
	size_t len = (size_t)(b->end - b->start);
	struct mm_struct *mm = mm_alloc();
	struct pt_regs regs;
	unsigned long at;

	if (!mm || process_init_kthread(current))
		return -ENOMEM;
	at = vm_mmap_anon(mm, BLOB_ADDR, PAGE_SIZE, VM_READ | VM_WRITE, NULL);
	if (at != BLOB_ADDR || vm_mmap_anon(mm, STACK_TOP - STACK_SIZE, STACK_SIZE,
					    VM_READ | VM_WRITE | VM_GROWSDOWN, "[stack]") !=
	    STACK_TOP - STACK_SIZE)
		return -ENOMEM;
	kthread_use_mm(mm);
	user_access_begin();
	memcpy((void *)BLOB_ADDR, b->start, len);	/* demand-paged in as we write */
	user_access_end();
	vm_mprotect(mm, BLOB_ADDR, PAGE_SIZE, VM_READ | VM_EXEC);
	mm->start_brk = mm->brk = 0x600000;
	begin_new_exec(mm, "ktest-blob", &regs, BLOB_ADDR, STACK_TOP - 64);
	local_irq_disable();
	start_user(&regs);
}

/* Run one blob as a child and return its wait status. */
static int run(struct ktest *t, const struct blob *b)
{
	int status = -1, pid = kernel_spawn_fn(run_blob, (void *)b, "ktest-blob");

	KTEST_EXPECT_TRUE(t, pid > 0);
	if (pid <= 0)
		return -1;
	KTEST_EXPECT_EQ(t, kernel_wait4(pid, &status), pid);
	return status;
}

#define RUN(t, name) run(t, &(struct blob){ blob_##name, blob_##name##_end })

static bool contains(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++)
		if (!strncmp(s, needle, n))
			return true;
	return false;
}

static bool logged_since(uint64_t seq, const char *needle)
{
	struct log_record r;

	for (; seq < log_next_seq(); seq++)
		if (log_read(seq, &r) && contains(r.text, needle))
			return true;
	return false;
}

static void test_exit_code_through_syscall(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, RUN(t, exit42), 42 << 8);
}

static void test_segv_kills_only_the_process(struct ktest *t)
{
	uint64_t seq = log_next_seq();

	KTEST_EXPECT_EQ(t, RUN(t, segv), SIGSEGV | 0x80);
	KTEST_EXPECT_TRUE(t, logged_since(seq, "ktest-blob["));
	KTEST_EXPECT_TRUE(t, logged_since(seq, "]: segfault at 0 ip 0000000000400002"));
	KTEST_EXPECT_EQ(t, RUN(t, ud2), SIGILL | 0x80);
}

static void test_bad_pointers_are_efault(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, RUN(t, efault), EFAULT << 8);
}

static void test_unknown_call_is_enosys(struct ktest *t)
{
	uint64_t seq = log_next_seq();

	KTEST_EXPECT_EQ(t, RUN(t, enosys), ENOSYS << 8);
	KTEST_EXPECT_TRUE(t, logged_since(seq, "system call 400 (?) is not implemented"));
}

static void test_fork_cow_and_wait4(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, RUN(t, fork), 103 << 8);
}

static void test_brk_grows_the_heap(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, RUN(t, brk), 0);
}

static void test_fpu_state_is_per_process(struct ktest *t)
{
	static const struct blob fpu = { blob_fpu, blob_fpu_end };
	static const struct blob clobber = { blob_fpu_clobber, blob_fpu_clobber_end };
	int a = kernel_spawn_fn(run_blob, (void *)&fpu, "ktest-fpu");
	int b = kernel_spawn_fn(run_blob, (void *)&clobber, "ktest-fpu2");
	int sa = -1, sb = -1;

	KTEST_ASSERT_TRUE(t, a > 0 && b > 0);
	KTEST_EXPECT_EQ(t, kernel_wait4(a, &sa), a);
	KTEST_EXPECT_EQ(t, kernel_wait4(b, &sb), b);
	KTEST_EXPECT_EQ(t, sa, 0);
	KTEST_EXPECT_EQ(t, sb, 0);
}

static void test_signal_handlers_and_sigreturn(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, RUN(t, sighandler), 0);
}

/* An ignored SIGCHLD is discarded, not left pending to cut short a wait for another child. */
static void test_ignored_sigchld_does_not_interrupt_wait4(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, RUN(t, sigchld_wait), 0);
}

/* The process limit contains a fork bomb; SIGKILL wakes sleepers; every child is reaped. */
static void test_forkbomb_is_contained(struct ktest *t)
{
	unsigned int procs = nr_user_processes;

	KTEST_EXPECT_EQ(t, RUN(t, forkbomb), (int)(max_user_processes - procs - 1) << 8);
	KTEST_EXPECT_EQ(t, nr_user_processes, procs);
}

static void test_no_pages_lost(struct ktest *t)
{
	unsigned long before;

	RUN(t, fork);	/* warm the caches the first run fills */
	vm_unmap_aliases();	/* the dead tasks' stacks: freed lazily (mm/vmalloc.c) */
	before = nr_free_pages();
	for (int i = 0; i < 5; i++) {
		RUN(t, fork);
		RUN(t, segv);
	}
	vm_unmap_aliases();
	ktest_diag(t, "free pages before %lu, after %lu", before, nr_free_pages());
	KTEST_EXPECT_TRUE(t, nr_free_pages() >= before);	/* more: older stacks purged too */
	KTEST_EXPECT_EQ(t, kernel_wait4(-1, &(int){ 0 }), -ECHILD);
}

static const struct ktest_case user_cases[] = {
	KTEST_CASE(test_exit_code_through_syscall),
	KTEST_CASE(test_segv_kills_only_the_process),
	KTEST_CASE(test_bad_pointers_are_efault),
	KTEST_CASE(test_unknown_call_is_enosys),
	KTEST_CASE(test_fork_cow_and_wait4),
	KTEST_CASE(test_brk_grows_the_heap),
	KTEST_CASE(test_fpu_state_is_per_process),
	KTEST_CASE(test_signal_handlers_and_sigreturn),
	KTEST_CASE(test_ignored_sigchld_does_not_interrupt_wait4),
	KTEST_CASE(test_forkbomb_is_contained),
	KTEST_CASE(test_no_pages_lost),
	{},
};
KTEST_SUITE(user, user_cases);
