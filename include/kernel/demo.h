/*
 * Demonstrations: short programs inside the kernel that show one mechanism at work
 * on the console (the buddy allocator splitting and merging, later lazy allocation,
 * FIFO against RR ...). A file declares one with
 *	DEMO(buddy, demo_buddy, "what it shows");
 * and it runs with demo=buddy on the command line or `demo buddy` in the shell.
 */
#ifndef KERNEL_DEMO_H
#define KERNEL_DEMO_H

#include <kernel/compiler.h>

struct demo {
	const char *name;
	void (*run)(void);
	const char *what;
};

#define DEMO(dname, dfn, dwhat)                                                       \
	static const struct demo __demo_##dname __used __section(".demos." #dname)   \
		__aligned(8) = { #dname, dfn, dwhat }

/* Run the demo called @name; false if there is none. */
bool demo_run(const char *name);

#endif
