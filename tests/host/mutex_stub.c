/*
 * Mutexes for the host tests of the file system (fs/): one thread, so a mutex only records
 * that it is held, and taking one that is held (a missing unlock, or a recursive lock in the
 * code under test) aborts the test.
 */
#include <stdio.h>
#include <stdlib.h>

#include <sched/mutex.h>

void mutex_lock(struct mutex *m)
{
	if (m->owner) {
		fprintf(stderr, "mutex_lock: %s is already held (recursive lock?)\n", m->name);
		abort();
	}
	m->owner = (struct task_struct *)m;	/* any non-NULL value: held */
}

int mutex_trylock(struct mutex *m)
{
	if (m->owner)
		return 0;
	mutex_lock(m);
	return 1;
}

void mutex_unlock(struct mutex *m)
{
	if (!m->owner) {
		fprintf(stderr, "mutex_unlock: %s is not held\n", m->name);
		abort();
	}
	m->owner = NULL;
}
