/*
 * Consoles: where printk's log and the shell's output appear (the serial port
 * today, the screen with the real-hardware issue). A console is a write function
 * and a name; register_console() replays the log so far into it, which is how
 * messages printed before any console existed still reach the user.
 * A screen console may also give write_level, which is told the printk level of the
 * text so it can colour it (errors red ...); printk then calls it instead of write.
 * Input from every console lands in one queue the shell reads (console_getc).
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <kernel/compiler.h>

struct console {
	const char *name;
	void (*write)(struct console *con, const char *s, size_t len);
	/* Optional: write text of printk level @level (0..7), or CONSOLE_NO_LEVEL (the shell). */
	void (*write_level)(struct console *con, const char *s, size_t len, int level);
	struct console *next;
};

#define CONSOLE_NO_LEVEL	(-1)

void register_console(struct console *con);
void unregister_console(struct console *con);
bool have_console(void);

/*
 * The lock every console write runs under (printk's log lock, interrupts off). A console
 * that draws later, from a timer, only tries it: the writer it would wait for may be the
 * code the timer interrupted.
 */
bool console_trylock(unsigned long *flags);
void console_unlock(unsigned long flags);

/* Write to every console, bypassing the log (the shell's output). */
void console_write(const char *s, size_t len);
/*
 * Catch what the calling task writes with console_write (and puts/printf) in @buf
 * instead, until console_capture_end, which returns the length (NUL-terminated, cut at
 * @size - 1). `watch` runs a command this way. Other tasks and printk still print.
 */
void console_capture_begin(char *buf, size_t size);
size_t console_capture_end(void);
void console_puts(const char *s);
int console_printf(const char *fmt, ...) __printf(1, 2);

/* Input: drivers push characters (from interrupt context), the shell pops them. */
void console_input_push(char c);
/* The process a typed ^C interrupts (SIGINT), or 0 for none: the shell's `run` sets it. */
void console_set_foreground(int pid);
/* ^C, with no foreground: SIGINT to @pid's descendants (0: none). For a user init. */
void console_set_session(int pid);
int console_getc(void);		/* sleeps until a character arrives; -EINTR on a signal */
int console_trygetc(void);	/* -1 when nothing is queued */
/* Sleeps until a character arrives or @ms passed; -1 on the timeout. */
int console_getc_timeout(unsigned int ms);

#endif
