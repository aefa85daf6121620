/*
 * A probe for "how fast does a woken task run", shared by the scheduler test suites: an
 * hrtimer interrupt wakes a sleeping thread while the test busy-loops, counting. If the
 * thread runs on the interrupt's way out (preemption at return from interrupt), it sees
 * exactly the count the interrupt saw: loops_at_run == loops_at_irq.
 */
#ifndef TESTS_KERNEL_WAKEUP_PROBE_H
#define TESTS_KERNEL_WAKEUP_PROBE_H

#include <kernel/hrtimer.h>
#include <sched/task.h>

struct wakeup_probe {
	struct hrtimer timer;
	struct task_struct *task;
	volatile uint64_t loops;		/* the interrupted busy loop's iterations */
	uint64_t loops_at_irq, loops_at_run;
	uint64_t fired_at, ran_at;		/* ns */
	volatile bool ran;
};

/* The hrtimer callback: note the count and the time, wake the sleeper. */
static inline enum hrtimer_restart wakeup_probe_timer(struct hrtimer *timer)
{
	struct wakeup_probe *w = container_of(timer, struct wakeup_probe, timer);

	w->loops_at_irq = w->loops;
	w->fired_at = sched_clock();
	wake_up_process(w->task);
	return HRTIMER_NORESTART;
}

/* The sleeper's thread function: sleep once, then note the count and the time. */
static inline int wakeup_probe_sleeper(void *data)
{
	struct wakeup_probe *w = data;

	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule();
	w->loops_at_run = w->loops;
	w->ran_at = sched_clock();
	w->ran = true;
	return 0;
}

#endif
