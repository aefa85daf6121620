/*
 * Completions (sched/completion.c): "wait until this has happened", for one event or a
 * count of them. complete() records one event and wakes exactly one waiter (the one
 * waiting longest); complete_all() marks it done for good and wakes everyone. A waiter
 * that comes after the event does not sleep at all: the count remembers it, which is
 * what a bare wait queue would not.
 *
 *	DECLARE_COMPLETION(ready);
 *	thread A: wait_for_completion(&ready);     thread B: complete(&ready);
 */
#ifndef SCHED_COMPLETION_H
#define SCHED_COMPLETION_H

#include <sched/wait.h>

struct completion {
	unsigned int done;		/* events not yet consumed; UINT_MAX after complete_all */
	struct wait_queue_head wait;	/* its lock also guards done */
};

#define COMPLETION_INITIALIZER(work) { 0, __WAIT_QUEUE_HEAD_INITIALIZER((work).wait) }
#define DECLARE_COMPLETION(work) struct completion work = COMPLETION_INITIALIZER(work)

static inline void init_completion(struct completion *x)
{
	x->done = 0;
	init_waitqueue_head(&x->wait);
}

/* Forget past events, to use it again; no one may be waiting. */
static inline void reinit_completion(struct completion *x) { x->done = 0; }

void complete(struct completion *x);
void complete_all(struct completion *x);

void wait_for_completion(struct completion *x);
/* The jiffies left (>= 1) when it completed, 0 on timeout. */
unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout);
/* 0 (no signals exist yet to end the wait with -ERESTARTSYS). */
int wait_for_completion_interruptible(struct completion *x);

/* Consume an event if there is one, without sleeping. */
bool try_wait_for_completion(struct completion *x);
/* Has it an event nobody consumed (would a wait return at once)? */
bool completion_done(struct completion *x);

#endif
