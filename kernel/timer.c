/*
 * Sleeping for a while: schedule_timeout() and msleep(). A sleeper arms an hrtimer on
 * its stack whose function wakes it, then schedules; whoever wakes it first (the event
 * it also waits for, or the timer) ends the sleep, and the timer is cancelled on the way
 * out. Timeouts are in jiffies, as on Linux; the expiry is an exact time in ns, so
 * msleep(20) sleeps 20 ms plus the wakeup latency, not "until the 20th tick boundary".
 * schedule_hrtimeout() sleeps until an absolute time in ns, for periodic work that must
 * not drift (next += period).
 */
#include <kernel/hrtimer.h>
#include <kernel/oops.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <sched/task.h>

struct process_timer {
	struct hrtimer timer;
	struct task_struct *task;
};

static enum hrtimer_restart process_timeout(struct hrtimer *t)
{
	wake_up_process(container_of(t, struct process_timer, timer)->task);
	return HRTIMER_NORESTART;
}

long schedule_timeout(long timeout)
{
	struct process_timer pt;
	uint64_t expires, now;

	if (timeout == MAX_SCHEDULE_TIMEOUT) {
		schedule();
		return timeout;
	}
	if (timeout < 0) {
		pr_err("schedule_timeout: wrong timeout value %lx\n", (unsigned long)timeout);
		dump_stack();
		__set_current_state(TASK_RUNNING);
		return 0;
	}
	expires = sched_clock() + (uint64_t)timeout * TICK_NSEC;
	pt.task = current;
	hrtimer_init(&pt.timer, process_timeout);
	hrtimer_start(&pt.timer, expires);
	schedule();
	hrtimer_cancel(&pt.timer);	/* woken early: the timer must not outlive this frame */
	now = sched_clock();
	return now >= expires ? 0 : (long)((expires - now + TICK_NSEC - 1) / TICK_NSEC);
}

int schedule_hrtimeout(uint64_t expires)
{
	struct process_timer pt;

	if (expires <= sched_clock()) {
		__set_current_state(TASK_RUNNING);
		return 0;
	}
	pt.task = current;
	hrtimer_init(&pt.timer, process_timeout);
	hrtimer_start(&pt.timer, expires);
	schedule();
	hrtimer_cancel(&pt.timer);
	return sched_clock() >= expires ? 0 : -EINTR;
}

long schedule_timeout_interruptible(long timeout)
{
	__set_current_state(TASK_INTERRUPTIBLE);
	return schedule_timeout(timeout);
}

long schedule_timeout_uninterruptible(long timeout)
{
	__set_current_state(TASK_UNINTERRUPTIBLE);
	return schedule_timeout(timeout);
}

void msleep(unsigned int msecs)
{
	long timeout = msecs_to_jiffies(msecs);

	while (timeout)
		timeout = schedule_timeout_uninterruptible(timeout);
}

unsigned long msleep_interruptible(unsigned int msecs)
{
	long timeout = msecs_to_jiffies(msecs);

	timeout = schedule_timeout_interruptible(timeout);
	return jiffies_to_msecs(timeout);
}
