/*
 * Console input: one queue of typed characters that every input driver (the
 * serial port's receive interrupt, later the PS/2 keyboard) pushes into from
 * interrupt context, and the shell pops from. Single consumer; interrupts are
 * disabled around the pop so the producer never sees a half-updated queue.
 * A full queue drops the newest character (the user sees it was not echoed).
 */
#include <asm/x86.h>
#include <kernel/console.h>

#define INPUT_SIZE 256	/* a power of two: head and tail wrap with a mask */

static char queue[INPUT_SIZE];
static volatile unsigned int head, tail;	/* head: next to write; tail: next to read */

void console_input_push(char c)
{
	if (head - tail == INPUT_SIZE)
		return;
	queue[head % INPUT_SIZE] = c;
	head++;
}

int console_trygetc(void)
{
	unsigned long flags = local_irq_save();
	int c = -1;

	if (tail != head) {
		c = (unsigned char)queue[tail % INPUT_SIZE];
		tail++;
	}
	local_irq_restore(flags);
	return c;
}

int console_getc(void)
{
	for (;;) {
		int c;

		local_irq_disable();
		c = console_trygetc();
		if (c >= 0) {
			local_irq_enable();
			return c;
		}
		safe_halt();	/* sti; hlt: the next interrupt (e.g. a keystroke) wakes us */
	}
}
