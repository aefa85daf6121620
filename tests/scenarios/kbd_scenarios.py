"""Scenarios of the PS/2 keyboard (imported by scenarios.py).

kbd-*:        boot to the shell, then type through QEMU's monitor (`sendkey`, which goes
              through QEMU's emulated i8042 and PS/2 keyboard, so the kernel sees real scan
              codes on IRQ 1) and read the answers on the serial log: a whole command with
              capitals and punctuation, caps lock (with shift undoing it on one letter),
              backspace (after Delete, PgUp and Home, which must insert nothing), Ctrl-C abandoning a line, Ctrl-U erasing one, the up arrow
              recalling history. Then the `kbd` counts must equal the keys and bytes sent,
              exactly, with no unknown scan code, and IRQ 1 must have brought them.
              Booted on `pc` and `q35`, BIOS and UEFI.
kbd-no-i8042: QEMU's `pc` without its i8042 (-machine pc,i8042=off): the probe reads 0xff,
              says so, and the boot goes on to a working shell.
kbd-q35-no-i8042: q35 without it: its FADT clears IAPC_BOOT_ARCH's 8042 bit, so the
              ports are not even probed.
kbd-off:      i8042=off on the command line: the controller is left alone, and `kbd` says why.
"""
import re
import time

SENDKEY_NAMES = {" ": "spc", "-": "minus", ".": "dot", "=": "equal", ",": "comma",
                 "/": "slash", "_": "shift-minus"}


def check(name, ok, detail=""):
    return (name, "pass" if ok else "fail", "" if ok else detail)


def text_keys(text):
    """The sendkey names that type @text on a US keyboard."""
    keys = []
    for ch in text:
        if ch in SENDKEY_NAMES:
            keys.append(SENDKEY_NAMES[ch])
        elif ch.isupper():
            keys.append("shift-" + ch.lower())
        else:
            keys.append(ch)
    return keys


class Typist:
    """Sends keys through the monitor and counts the key presses it caused."""

    E0_KEYS = {"up", "down", "left", "right", "delete", "home", "end", "pgup", "pgdn", "insert",
               "kp_enter", "kp_divide", "ctrl_r", "alt_r"}

    def __init__(self, m):
        self.m, self.presses, self.bytes = m, 0, 0

    def keys(self, *names):
        for name in names:
            out = self.m.monitor(f"sendkey {name} 20")
            if out.strip():
                raise RuntimeError(f"sendkey {name}: {out.strip()}")
            for key in name.split("-"):	# make and break, with an e0 prefix each for some
                self.presses += 1
                self.bytes += 4 if key in self.E0_KEYS else 2

    def line(self, text, enter=True):
        self.keys(*text_keys(text))
        if enter:
            self.keys("ret")

    def command(self, *names):
        """Send @names (ending with ret) and return what appeared up to the next prompt."""
        mark = len(self.m.log)
        self.keys(*names)
        self.m.expect(r"teachos# ", since=mark)
        out = self.m.text(mark)
        return out[:out.rfind("teachos# ")]


def output_lines(out):
    """The lines a command printed, without the echo of what was typed (the first line)."""
    return out.split("\n")[1:]


def parse_kbd(out):
    m = re.search(r"bytes (\d+) presses (\d+) releases (\d+) chars (\d+) unknown (\d+) "
                  r"errors (\d+)", out)
    return dict(zip(["bytes", "presses", "releases", "chars", "unknown", "errors"],
                    map(int, m.groups()))) if m else None


def run_kbd(m):
    name = m.spec.name
    checks = []
    m.expect(r"teachos# ")
    lines = m.kernel_lines()
    checks.append(check(f"{name}: i8042 probed", any(
        re.match(r"i8042: PS/2 controller at 0x60,0x64 irq 1, config 0x[0-9a-f]{2}, "
                 r"translation to set 1", l) for l in lines), "no probe line"))
    checks.append(check(f"{name}: keyboard answered", any(
        l.startswith("atkbd: AT keyboard on the i8042's first port") for l in lines)
        and not any("no keyboard answered" in l for l in lines)))
    t = Typist(m)

    out = t.command(*text_keys("echo Hello-KBD 42"), "ret")
    checks.append(check(f"{name}: typed command runs", "Hello-KBD 42" in output_lines(out),
                        repr(out)))

    # caps lock on: "abc" is capital, shift-d gives 'd'; caps lock off: 'e' is small
    out = t.command(*text_keys("echo "), "caps_lock", "a", "b", "c", "shift-d", "caps_lock",
                    "e", "ret")
    checks.append(check(f"{name}: caps lock and shift", "ABCde" in output_lines(out),
                        repr(out)))

    # Delete, PgUp and Home send ESC [ 3 ~, ESC [ 5 ~, ESC [ H: the shell ignores them whole
    out = t.command(*text_keys("echo abx"), "delete", "pgup", "home", "backspace", "c", "ret")
    checks.append(check(f"{name}: backspace edits, editing keys insert nothing",
                        "abc" in output_lines(out) and "\b \b" in out, repr(out)))

    out = t.command(*text_keys("echo bad"), "ctrl-c")
    checks.append(check(f"{name}: Ctrl-C abandons the line", out.rstrip("\n").endswith("^C")
                        and "bad" not in output_lines(out), repr(out)))
    out = t.command(*text_keys("echo zzz"), "ctrl-u", *text_keys("echo good"), "ret")
    checks.append(check(f"{name}: Ctrl-U erases the line", "good" in out.split("\n")
                        and "zzz" not in output_lines(out), repr(out)))

    # history: echo good, echo abc, echo ABCde ...; two ups recall "echo abc"
    out = t.command("up", "up", "ret")
    checks.append(check(f"{name}: up arrow recalls history", output_lines(out) == ["abc", ""],
                        repr(out)))

    time.sleep(0.5)	# the last key's release comes 20 ms after its press typed Enter
    kbd_out = m.command("kbd")
    st = parse_kbd(kbd_out)
    checks.append(check(f"{name}: kbd counts every key sent", st is not None and
                        st["presses"] == t.presses and st["releases"] == t.presses,
                        f"sent {t.presses} presses, kbd says {st}"))
    checks.append(check(f"{name}: no unknown scan code or error", st is not None and
                        st["unknown"] == 0 and st["errors"] == 0, str(st)))
    checks.append(check(f"{name}: caps lock is off again, LEDs followed",
                        re.search(r"locks: caps off, num off, scroll off; LED updates [1-9]\d*,"
                                  r" failed 0", kbd_out) is not None, kbd_out))
    cfg = re.search(r"i8042: config 0x([0-9a-f]{2})", kbd_out)
    checks.append(check(f"{name}: keyboard interrupt and translation on, mouse off",
                        cfg is not None and int(cfg.group(1), 16) & 0x73 == 0x61, kbd_out))
    checks.append(check(f"{name}: every scan code byte decoded", st is not None and
                        st["bytes"] == t.bytes, f"sent {t.bytes} bytes, kbd says {st}"))
    # An interrupt usually brings one byte, sometimes two; the LED ACKs come on IRQ 1 too.
    leds = re.search(r"LED updates (\d+)", kbd_out)
    irq = re.search(r"^\s*1:\s+(\d+)\s.*i8042", m.command("interrupts"), re.M)
    checks.append(check(f"{name}: IRQ 1 brought the bytes", irq is not None and leds and st and
                        t.bytes // 2 <= int(irq.group(1)) <= st["bytes"] + 2 * int(leds.group(1)),
                        f"irq {irq and irq.group(1)}, {st}"))
    return checks


def run_kbd_absent(m):
    """No i8042 (-machine pc,i8042=off; q35 too, where ACPI says so and we do not probe),
    or i8042=off on the command line."""
    name = m.spec.name
    m.expect(r"teachos# ")
    lines = m.kernel_lines()
    probe = [l for l in lines if l.startswith("i8042: ")]
    if "i8042=off" in m.spec.cmdline:
        why, want = "disabled by i8042=off", ["i8042: disabled by i8042=off"]
    elif m.spec.machine.startswith("q35"):	# its FADT (revision 3) says so: not probed
        why = "ACPI's FADT says there is none (i8042=force probes anyway)"
        want = ["i8042: not probed: " + why]
    else:
        why = "no controller (its status port reads 0xff)"
        want = ["i8042: no usable controller: " + why]
    out = m.command("kbd")
    return [
        check(f"{name}: probe says there is no controller", probe == want, str(probe)),
        check(f"{name}: kbd says why", out.strip().endswith("i8042: none: " + why), repr(out)),
        check(f"{name}: the shell still answers", m.command("echo alive").strip()
              .endswith("alive")),
    ]
