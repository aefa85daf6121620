/*
 * /dev/console: writes go to every kernel console (console_write: the serial port and the
 * screen, without printk's prefixes); reads go through a line discipline over the console
 * input queue (kernel/console_input.c), as a terminal in canonical mode: characters are
 * echoed as they are typed, backspace (BS or DEL) erases one, ^U the whole line, Enter (CR
 * or LF; a CR LF pair is one) ends the line, ^D on an empty line is end of file (read
 * returns 0) and elsewhere hands over the line typed so far, ^C echoes "^C" and drops the
 * line (when the kernel shell ran the reader, ^C never gets here: it is the reader's SIGINT,
 * kernel/console_input.c). A read sleeps in console_getc, on the input queue's wait
 * queue, until a whole line is there; a line longer than a read's count is handed out over
 * several reads. Only one reader edits a line at a time (console_read_lock). The kernel shell
 * reads the same queue with its own editor: the two are never active at once (the shell
 * waits while a user process runs), so they share the queue without arbitration.
 * docs/fs.md, "the console".
 */
#include <fs/fs.h>
#include <kernel/console.h>
#include <lib/errno.h>
#include <sched/mutex.h>

#define CONSOLE_LINE_MAX	256

static DEFINE_MUTEX(console_read_lock);
static char line[CONSOLE_LINE_MAX];
static size_t line_len, line_given;	/* a finished line, and how much was read of it */
static bool line_eof;			/* ^D on an empty line: the next read returns 0 */
static bool last_was_cr;

static void echo(const char *s, size_t n)
{
	console_write(s, n);
}

/*
 * Edit one line into line[] until Enter or ^D. A line holds CONSOLE_LINE_MAX - 1 characters
 * and its newline: what is typed beyond is dropped, not echoed, until Enter (as Linux's
 * terminal does past 4095). Sleeps for every character;
 * -EINTR if a signal ends the sleep (what was typed of the line is dropped), else 0.
 */
static int read_line(void)
{
	size_t len = 0;

	for (;;) {
		int c = console_getc();

		if (c < 0)
			return c;
		if (c == '\n' && last_was_cr) {
			last_was_cr = false;
			continue;
		}
		last_was_cr = c == '\r';
		switch (c) {
		case '\r':
		case '\n':
			line[len++] = '\n';
			echo("\n", 1);
			goto done;
		case 0x04:	/* ^D */
			if (len == 0)
				line_eof = true;
			goto done;
		case 0x03:	/* ^C */
			echo("^C\n", 3);
			len = 0;
			break;
		case 0x08:
		case 0x7f:
			if (len) {
				len--;
				echo("\b \b", 3);
			}
			break;
		case 0x15:	/* ^U */
			while (len) {
				len--;
				echo("\b \b", 3);
			}
			break;
		default:
			/* Printable and tab; one byte is kept for the newline. */
			if ((c >= 0x20 && c != 0x7f && c < 0x100) || c == '\t') {
				if (len < CONSOLE_LINE_MAX - 1) {
					char ch = (char)c;

					line[len++] = ch;
					echo(&ch, 1);
				}
			}
		}
	}
done:
	line_len = len;
	line_given = 0;
	return 0;
}

static ssize_t console_read(struct file *f, void *buf, size_t count, loff_t *pos)
{
	size_t n;

	(void)f, (void)pos;
	if (count == 0)
		return 0;
	mutex_lock(&console_read_lock);
	if (line_given == line_len && !line_eof && read_line()) {
		mutex_unlock(&console_read_lock);
		return -EINTR;
	}
	if (line_eof) {
		line_eof = false;
		mutex_unlock(&console_read_lock);
		return 0;
	}
	n = MIN(count, line_len - line_given);
	memcpy(buf, line + line_given, n);
	line_given += n;
	mutex_unlock(&console_read_lock);
	return (ssize_t)n;
}

static ssize_t console_dev_write(struct file *f, const void *buf, size_t count, loff_t *pos)
{
	(void)f, (void)pos;
	console_write(buf, count);
	return (ssize_t)count;
}

const struct file_operations console_fops = {
	.read = console_read,
	.write = console_dev_write,
	.stream = true,
};
