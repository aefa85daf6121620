/*
 * printk and the log buffer. Every message becomes a record in a ring of
 * LOG_RECORDS entries (level, TSC stamp, text); records whose level is below
 * console_loglevel are also written to every console at once. Because the ring
 * keeps everything, nothing printed before the first console is lost: register_console()
 * replays it. A message without a trailing newline stays open and KERN_CONT text is
 * appended to it. During an oops the lock is only tried, so a crash inside printk
 * still gets its report out; an NMI also only tries it, and drops its message (counted,
 * and shown by `dmesg`) when the code it interrupted holds it.
 */
#include <asm/x86.h>
#include <kernel/console.h>
#include <kernel/log.h>
#include <kernel/oops.h>
#include <kernel/percpu.h>
#include <kernel/preempt.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <sched/task.h>

int console_loglevel = 7;	/* Linux's default: everything but debug */

static struct log_record ring[LOG_RECORDS];
static uint64_t next_seq;	/* seq of the next record to write */
static bool line_open;		/* the newest record has no newline yet */
static struct console *consoles;
static spinlock_t log_lock = SPINLOCK_INIT;

static struct log_record *slot(uint64_t seq) { return &ring[seq % LOG_RECORDS]; }

uint64_t log_next_seq(void) { return next_seq; }
uint64_t log_first_seq(void) { return next_seq > LOG_RECORDS ? next_seq - LOG_RECORDS : 0; }

bool log_read(uint64_t seq, struct log_record *out)
{
	unsigned long flags;
	bool ok;

	flags = spin_lock_irqsave(&log_lock);
	ok = seq >= log_first_seq() && seq < next_seq;
	if (ok)
		*out = *slot(seq);
	spin_unlock_irqrestore(&log_lock, flags);
	return ok;
}

int log_format_prefix(char *buf, size_t size, const struct log_record *r)
{
	uint64_t ns = tsc_to_ns(r->tsc - tsc_at_boot);

	return scnprintf(buf, size, "[%5llu.%06llu] ", (unsigned long long)(ns / NSEC_PER_SEC),
			 (unsigned long long)(ns % NSEC_PER_SEC / NSEC_PER_USEC));
}

static void con_write(struct console *c, const char *s, size_t len, int level)
{
	if (c->write_level)
		c->write_level(c, s, len, level);
	else
		c->write(c, s, len);
}

static void con_write_all(const char *s, size_t len, int level)
{
	for (struct console *c = consoles; c; c = c->next)
		con_write(c, s, len, level);
}

/* Send text of record @r to the consoles; @from is where the new text starts. */
static void emit(const struct log_record *r, size_t from, bool newline)
{
	char prefix[32];

	if (r->level >= console_loglevel)
		return;
	if (from == 0)
		con_write_all(prefix, log_format_prefix(prefix, sizeof(prefix), r), r->level);
	con_write_all(r->text + from, r->len - from, r->level);
	if (newline)
		con_write_all("\n", 1, r->level);
}

/* Parse a KERN_<LEVEL> prefix: returns the level, 'c' for KERN_CONT, or -1 for none. */
static int parse_level(const char **text)
{
	const char *s = *text;

	if (s[0] != KERN_SOH[0] || !(s[1] == 'c' || (s[1] >= '0' && s[1] <= '7')))
		return -1;
	*text = s + 2;
	return s[1] == 'c' ? 'c' : s[1] - '0';
}

/* Append @len bytes to the open record, or start a new one; caller holds the lock. */
static void log_store(int level, const char *text, size_t len, bool newline, bool cont)
{
	struct log_record *r;
	size_t from = 0, room;

	if (cont && line_open) {
		r = slot(next_seq - 1);
		from = r->len;
	} else {
		if (line_open)	/* a new message ends an unterminated one */
			emit(slot(next_seq - 1), slot(next_seq - 1)->len, true);
		r = slot(next_seq);
		r->seq = next_seq++;
		r->tsc = rdtsc();
		r->level = level;
		r->len = 0;
	}
	room = LOG_LINE_MAX - 1 - r->len;
	len = MIN(len, room);
	memcpy(r->text + r->len, text, len);
	r->len += len;
	r->text[r->len] = '\0';
	line_open = !newline;
	emit(r, from, newline);
}

static unsigned long dropped_in_nmi;	/* messages an NMI could not log: the lock was held */

unsigned long log_dropped(void) { return dropped_in_nmi; }

/*
 * Take the log lock. During an oops or an NMI only try: the interrupted code may hold it.
 * An oops then writes anyway (the report matters more than a record it may garble); an
 * NMI must not, as the code it interrupted resumes afterwards, so its message is dropped.
 */
static bool log_lock_busting(unsigned long *flags)
{
	*flags = local_irq_save();
	if (oops_in_progress || this_cpu()->in_nmi)
		return spin_trylock(&log_lock);
	spin_lock(&log_lock);
	return true;
}

static void log_unlock(bool locked, unsigned long flags)
{
	if (locked)
		spin_unlock(&log_lock);
	local_irq_restore(flags);
}

int vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	const char *text = buf, *line;
	unsigned long flags;
	int level, len;
	bool locked;

	len = vscnprintf(buf, sizeof(buf), fmt, ap);
	level = parse_level(&text);
	locked = log_lock_busting(&flags);
	if (!locked && !oops_in_progress) {
		dropped_in_nmi++;
		local_irq_restore(flags);
		return 0;
	}
	/* One record per line; only the first line can continue an open record. */
	for (line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		log_store(level < 0 || level == 'c' ? LOGLEVEL_DEFAULT : level, line, n, nl != NULL,
			  level == 'c' && line == text);
		line += n + (nl ? 1 : 0);
	}
	log_unlock(locked, flags);
	return len;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void register_console(struct console *con)
{
	unsigned long flags;
	bool locked = log_lock_busting(&flags);

	/* Replay what the log holds, then add the console: it sees every line once. */
	for (uint64_t seq = log_first_seq(); seq < next_seq; seq++) {
		struct log_record *r = slot(seq);
		char prefix[32];
		bool last_open = line_open && seq == next_seq - 1;

		if (r->level >= console_loglevel)
			continue;
		con_write(con, prefix, log_format_prefix(prefix, sizeof(prefix), r), r->level);
		con_write(con, r->text, r->len, r->level);
		if (!last_open)
			con_write(con, "\n", 1, r->level);
	}
	con->next = consoles;
	consoles = con;
	log_unlock(locked, flags);
}

void unregister_console(struct console *con)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);

	for (struct console **pp = &consoles; *pp; pp = &(*pp)->next) {
		if (*pp == con) {
			*pp = con->next;
			break;
		}
	}
	spin_unlock_irqrestore(&log_lock, flags);
}

bool have_console(void)
{
	return consoles != NULL;
}

bool console_trylock(unsigned long *flags)
{
	*flags = local_irq_save();
	if (spin_trylock(&log_lock))
		return true;
	local_irq_restore(*flags);
	return false;
}

void console_unlock(unsigned long flags)
{
	spin_unlock_irqrestore(&log_lock, flags);
}

static struct {
	char *buf;
	size_t size, len;
	const void *owner;	/* the task whose output goes to buf */
} capture;

void console_capture_begin(char *buf, size_t size)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);

	capture.buf = buf;
	capture.size = size;
	capture.len = 0;
	capture.owner = current;
	buf[0] = '\0';
	spin_unlock_irqrestore(&log_lock, flags);
}

size_t console_capture_end(void)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);
	size_t len = capture.len;

	capture.owner = NULL;
	spin_unlock_irqrestore(&log_lock, flags);
	return len;
}

void console_write(const char *s, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);

	if (capture.owner && capture.owner == current && !in_interrupt()) {
		size_t n = MIN(len, capture.size - 1 - capture.len);

		memcpy(capture.buf + capture.len, s, n);
		capture.len += n;
		capture.buf[capture.len] = '\0';
	} else {
		con_write_all(s, len, CONSOLE_NO_LEVEL);
	}
	spin_unlock_irqrestore(&log_lock, flags);
}

void console_puts(const char *s)
{
	console_write(s, strlen(s));
}

int console_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, n);
	return n;
}
