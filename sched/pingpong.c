/*
 * demo=pingpong: what a context switch costs. Two kernel threads of one policy hand the
 * CPU to each other with sched_yield() PINGS times each; the TSC ticks between the first
 * and the last yield, divided by the switches made meanwhile, is the cost of one
 * switch: sched_yield, the class's yield, __schedule, pick, switch_to and back. Under
 * QEMU with -icount shift=0 the TSC counts instructions, so `make bench` reads the
 * figure as instructions per switch. Run for SCHED_FIFO (the rt class's list) and for
 * SCHED_NORMAL (the fair class's tree).
 */
#include <kernel/demo.h>
#include <kernel/printk.h>
#include <sched/completion.h>
#include <sched/task.h>

#define PINGS 20000

struct player {
	uint64_t first_tsc, last_tsc;
	uint64_t switches_at_first, switches_at_last;
	struct completion done;
};

static struct task_struct *players[2];

static uint64_t switches(void)
{
	return players[0]->nvcsw + players[0]->nivcsw + players[1]->nvcsw + players[1]->nivcsw;
}

static int play(void *data)
{
	struct player *pl = data;

	yield();	/* let the other one start too */
	pl->switches_at_first = switches();
	pl->first_tsc = rdtsc();
	for (int i = 0; i < PINGS; i++)
		yield();
	pl->last_tsc = rdtsc();
	pl->switches_at_last = switches();
	complete(&pl->done);
	return 0;
}

static void run(int policy, int prio)
{
	struct sched_param sp = { prio };
	struct player pl[2] = { 0 };
	uint64_t ticks, n;

	for (int i = 0; i < 2; i++) {
		init_completion(&pl[i].done);
		players[i] = kthread_create(play, &pl[i], "pingpong-%d", i);
		if (!players[i]) {
			pr_err("pingpong: out of memory\n");
			return;
		}
		get_task_struct(players[i]);
		sched_setscheduler(players[i], policy, &sp);
	}
	preempt_disable();	/* both queued before either runs */
	wake_up_process(players[0]);
	wake_up_process(players[1]);
	preempt_enable();
	for (int i = 0; i < 2; i++) {
		wait_for_completion(&pl[i].done);	/* a fair player may not have started yet */
		kthread_stop(players[i]);
		put_task_struct(players[i]);
	}
	/* Player 0 started first and player 1 ended last: the span covers both loops. */
	ticks = pl[1].last_tsc - pl[0].first_tsc;
	n = pl[1].switches_at_last - pl[0].switches_at_first;
	pr_info("pingpong: yield ping-pong (%s): %llu switches, %llu TSC ticks per switch\n",
		sched_policy_name(policy), (unsigned long long)n,
		(unsigned long long)(n ? ticks / n : 0));
}

static void demo_pingpong(void)
{
	run(SCHED_FIFO, 1);
	run(SCHED_NORMAL, 0);
}
DEMO(pingpong, demo_pingpong, "two threads yield to each other: the cost of a context switch");
