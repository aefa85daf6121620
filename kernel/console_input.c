/*
 * Console input: one queue of typed characters that every input driver (the
 * serial port's receive interrupt, later the PS/2 keyboard) pushes into from
 * interrupt context, and the shell pops from. A spinlock that also disables
 * interrupts guards it, so producers and the consumer may run on any CPU.
 * A full queue drops the newest character (the user sees it was not echoed).
 * A reader with nothing to read sleeps on input_wait, which the push wakes, so a
 * waiting shell costs no CPU and other tasks run meanwhile; console_getc_timeout() bounds
 * that sleep, for a command that redraws while it waits for a key (top).
 * While the kernel shell waits for a program it ran (`run`), that program is the console's
 * foreground: a ^C typed then is not queued but becomes SIGINT to it and its descendants,
 * as a terminal's interrupt character does (kill_process_tree, kernel/signal.c). With a
 * user-space init (init=) there is no kernel shell: ^C is SIGINT to every descendant of
 * init (the session), init itself spared. The console follows no foreground process
 * group (there is no tcsetpgrp): a user shell ignores SIGINT itself, and its background
 * commands do too, as POSIX asks of a shell without job control (user/sh.c), so the
 * foreground command is the one that ends.
 */
#include <asm/x86.h>
#include <kernel/console.h>
#include <kernel/signal.h>
#include <kernel/spinlock.h>
#include <kernel/hrtimer.h>
#include <sched/wait.h>

#define INPUT_SIZE 256	/* a power of two: head and tail wrap with a mask */

static char queue[INPUT_SIZE];
static unsigned int head, tail;	/* head: next to write; tail: next to read */
static spinlock_t input_lock = SPINLOCK_INIT;
static DECLARE_WAIT_QUEUE_HEAD(input_wait);

static int foreground_pid;	/* 0: none */
static int session_pid;		/* 0: none; else ^C goes to its descendants */

void console_set_foreground(int pid)
{
	__atomic_store_n(&foreground_pid, pid, __ATOMIC_RELEASE);
}

void console_set_session(int pid)
{
	__atomic_store_n(&session_pid, pid, __ATOMIC_RELEASE);
}

void console_input_push(char c)
{
	int fg = __atomic_load_n(&foreground_pid, __ATOMIC_ACQUIRE);
	int session = __atomic_load_n(&session_pid, __ATOMIC_ACQUIRE);
	unsigned long flags;

	if (c == 0x03 && (fg > 0 || session > 0)) {	/* ^C */
		console_write("^C\n", 3);
		if (fg > 0)
			kill_process_tree(fg, SIGINT, false);
		else
			kill_process_tree(session, SIGINT, true);
		return;
	}
	flags = spin_lock_irqsave(&input_lock);

	if (head - tail < INPUT_SIZE) {
		queue[head % INPUT_SIZE] = c;
		head++;
	}
	spin_unlock_irqrestore(&input_lock, flags);
	wake_up_interruptible(&input_wait);
}

int console_trygetc(void)
{
	unsigned long flags = spin_lock_irqsave(&input_lock);
	int c = -1;

	if (tail != head) {
		c = (unsigned char)queue[tail % INPUT_SIZE];
		tail++;
	}
	spin_unlock_irqrestore(&input_lock, flags);
	return c;
}

int console_getc(void)
{
	int c;

	if (!this_cpu()->current_task) {
		/* Before the scheduler: nobody else to run, so halt until the next interrupt. */
		for (;;) {
			local_irq_disable();
			c = console_trygetc();
			if (c >= 0) {
				local_irq_enable();
				return c;
			}
			safe_halt();
		}
	}
	if (wait_event_interruptible(input_wait, (c = console_trygetc()) >= 0))
		return -EINTR;	/* a process's signal: its read ends */
	return c;
}

int console_getc_timeout(unsigned int ms)
{
	int c = -1;

	if (!this_cpu()->current_task)
		return console_trygetc();	/* before the scheduler: nothing to sleep with */
	wait_event_interruptible_timeout(input_wait, (c = console_trygetc()) >= 0,
					 (long)msecs_to_jiffies(ms));
	return c;
}
