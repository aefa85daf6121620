"""The boots `make test` runs, and what each must show on the serial port.

A boot is a BootSpec: a kernel (gcc, ubsan or clang build), a command line, the
machine (memory, CPU model, BIOS or UEFI), a timeout, and a `run(machine)` that
drives it and returns checks as (name, "pass" | "fail" | "skip", detail).
Checks assert behaviour: numbers, the order of events, the fields of an oops,
what the shell answers; never merely that some line was printed.
"""
import re
import time

from kbd_scenarios import run_kbd, run_kbd_absent
from machine import Timeout
from sched_scenarios import run_demo_latency, run_demo_sched, run_sched_trace
from acpi_scenarios import run_acpi, run_acpi_off, run_reboot
from apic_scenarios import apic_boots
from block_scenarios import block_boots
from swap_scenarios import swap_boots
from matrix_scenarios import matrix_boots
from user_scenarios import run_user_init, run_user_oom, run_user_oom_choice, run_user_programs
from fuzz_scenarios import run_fuzz
from screen_scenarios import run_screen, run_screen_noserial, run_screen_vgatext

GiB = 1 << 30
MiB = 1 << 20


class BootSpec:
    def __init__(self, name, run, cmdline="", kernel="gcc", mem="128M", cpu="max",
                 firmware="bios", timeout=60, icount=False, machine="pc", serial=True,
                 no_reboot=True, qemu_extra=(), prepare=None, smp=1):
        self.name, self.run, self.cmdline, self.kernel = name, run, cmdline, kernel
        self.no_reboot = no_reboot	# False: a guest reset restarts it instead of ending QEMU
        self.mem, self.cpu, self.firmware, self.timeout = mem, cpu, firmware, timeout
        self.icount, self.machine, self.serial = icount, machine, serial
        self.smp = smp			# QEMU's -smp: CPUs (the MADT lists them all as enabled)
        self.qemu_extra = list(qemu_extra)	# more devices: disks ("-drive", ...)
        self.prepare = prepare		# called before QEMU starts (to make a disk image)

    def describe(self):
        return (f"{self.kernel} kernel, {self.firmware}, -machine {self.machine}, -m {self.mem}, "
                f"-cpu {self.cpu}, -smp {self.smp}{'' if self.serial else ', no serial port'}, "
                f"cmdline '{self.cmdline}'")


def check(name, ok, detail=""):
    return (name, "pass" if ok else "fail", "" if ok else detail)


def mem_bytes(size):
    units = {"M": MiB, "G": GiB}
    return int(size[:-1]) * units[size[-1]]


# ---------------------------------------------------------------- kernel tests (KTAP)

KTAP_RESULT = re.compile(r"^( *)(ok|not ok) (\d+) (\S+)(?: # (SKIP)\b ?(.*))?$")


def parse_ktap(text):
    """Return ([(suite, case, status, detail)], problems) from KTAP version 1 output."""
    results, problems = [], []
    lines = text.splitlines()
    try:
        start = lines.index("KTAP version 1")
    except ValueError:
        return [], ["no 'KTAP version 1' line"]
    plan = re.match(r"^1\.\.(\d+)$", lines[start + 1]) if start + 1 < len(lines) else None
    if not plan:
        return [], ["no top-level plan line"]
    planned_suites, suite, suite_plan, suite_seen, suites_seen = int(plan.group(1)), None, 0, 0, 0
    diag = []
    for line in lines[start + 2:]:
        sub = re.match(r"^    # Subtest: (\S+)$", line)
        if sub:
            suite, suite_seen, diag = sub.group(1), 0, []
            continue
        p = re.match(r"^    1\.\.(\d+)$", line)
        if p:
            suite_plan = int(p.group(1))
            continue
        if line.startswith("    # "):
            diag.append(line.strip())
            continue
        m = KTAP_RESULT.match(line)
        if not m:
            continue
        indent, verdict, _, name, skip, reason = m.groups()
        if indent == "    ":
            suite_seen += 1
            status = "skip" if skip else ("pass" if verdict == "ok" else "fail")
            results.append((suite, name, status, reason if skip else " | ".join(diag)))
            diag = []
        elif indent == "":
            suites_seen += 1
            if suite_seen != suite_plan:
                problems.append(f"suite {name}: planned {suite_plan} cases, saw {suite_seen}")
    if suites_seen != planned_suites:
        problems.append(f"planned {planned_suites} suites, saw {suites_seen} (crash or hang?)")
    return results, problems


def run_ktest(m):
    status = m.wait_exit()
    results, problems = parse_ktap(m.text())
    checks = [(f"{m.spec.name}: {suite}.{case}", st, detail)
              for suite, case, st, detail in results]
    checks.append(check(f"{m.spec.name}: KTAP complete", not problems, "; ".join(problems)))
    all_ok = all(st != "fail" for _, _, st, _ in results) and not problems
    # isa-debug-exit: QEMU exits with (value << 1) | 1; the kernel writes 0 when all passed.
    checks.append(check(f"{m.spec.name}: exit status", status == (1 if all_ok else 3),
                        f"QEMU exit status {status}"))
    return checks


# ---------------------------------------------------------------- memory map

E820 = re.compile(r"^BIOS-e820: \[mem 0x([0-9a-f]{16})-0x([0-9a-f]{16})\] (.+)$")
SUMMARY = re.compile(r"^Memory: (\d+) KiB usable in (\d+) regions, (\d+) KiB reserved, "
                     r"top of RAM 0x([0-9a-f]+)$")


def qemu_ram_layout(size):
    """Where QEMU's pc machine puts @size bytes of RAM: (below 4 GiB, above 4 GiB)."""
    low = size if size < 0xe0000000 else 0xc0000000
    return low, size - low


def memory_checks(m):
    name = m.spec.name
    m.expect(r"^\[[ \d.]+\] Memory: ")
    lines = m.kernel_lines()
    regions = [(int(a, 16), int(b, 16) + 1, t) for a, b, t in
               (E820.match(l).groups() for l in lines if E820.match(l))]
    summary = next((SUMMARY.match(l) for l in lines if SUMMARY.match(l)), None)
    if not regions or not summary:
        return [check(f"{name}: memory map printed", False, "no e820 lines or summary")]
    usable = [(a, b) for a, b, t in regions if t == "usable"]
    total = sum(b - a for a, b in usable)
    top = max(b for _, b in usable)
    size = mem_bytes(m.spec.mem)
    low, high = qemu_ram_layout(size)
    kib, count, _, top_printed = summary.groups()
    checks = [
        check(f"{name}: summary adds up the e820 lines", int(kib) == total >> 10
              and int(count) == len(usable) and int(top_printed, 16) == top,
              f"summary {summary.group(0)!r} vs {total >> 10} KiB in {len(usable)}, top {top:#x}"),
        check(f"{name}: usable regions do not overlap",
              all(b1 <= a2 for (_, b1), (a2, _) in zip(sorted(usable), sorted(usable)[1:]))),
    ]
    # What QEMU was given: firmware keeps some (BIOS: ~0.5 MiB; UEFI: more), never adds.
    slack = 1 * MiB if m.spec.firmware == "bios" else size // 8
    checks.append(check(f"{name}: usable RAM matches -m {m.spec.mem}",
                        size - slack <= total <= size,
                        f"{total} bytes usable for {size} given"))
    if high:
        checks.append(check(f"{name}: RAM above 4 GiB ends at 4 GiB + {high >> 20} MiB",
                            top == (1 << 32) + high, f"top of RAM {top:#x}"))
        checks.append(check(f"{name}: the PCI hole below 4 GiB is not usable",
                            not any(a < (1 << 32) and b > low for a, b in usable)))
    else:
        checks.append(check(f"{name}: top of RAM just below {m.spec.mem}",
                            size - slack <= top <= size, f"top of RAM {top:#x}"))
    return checks


def run_boot_to_shell(m):
    """Boot, check the banner and memory map, reach the prompt, answer a command."""
    name = m.spec.name
    checks = []
    m.expect(r"teachos# ")
    lines = m.kernel_lines()
    checks.append(check(f"{name}: banner first", bool(lines) and
                        lines[0].startswith("Linux-style teaching kernel teachos"),
                        f"first line {lines[:1]}"))
    checks.append(check(f"{name}: loaded by GRUB", any(l.startswith("boot: loaded by GRUB")
                                                        for l in lines)))
    checks += memory_checks(m)
    out = m.command("echo alive")
    checks.append(check(f"{name}: shell answers", out.strip().endswith("alive"), repr(out)))
    return checks


# ---------------------------------------------------------------- oopses

REGS = ["RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "R08", "R09", "R10", "R11",
        "R12", "R13", "R14", "R15", "CR0", "CR2", "CR3", "CR4"]


def oops_run(patterns, function, survivable=False, intact_stack=True):
    """A crash=KIND boot: the report must contain @patterns in order, every register,
    the task it happened in (init, pid 1, which runs crash=), and a backtrace naming
    @function (and kernel_init, init's function, unless the bug smashed the stack);
    then the kernel must panic and reboot (panic=-1)."""
    def run(m):
        name = m.spec.name
        if survivable:
            m.expect(r"teachos# ")
        else:
            m.wait_exit()
        lines = m.kernel_lines()
        text = "\n".join(lines)
        checks = []
        pos = 0
        for p in patterns:
            found = re.compile(p, re.M).search(text, pos)
            checks.append(check(f"{name}: /{p}/ in order", bool(found),
                                "missing or out of order"))
            if found:
                pos = found.end()
        if not survivable:
            missing = [r for r in REGS if not re.search(rf"\b{r}: [0-9a-f]{{16}}\b", text)]
            checks.append(check(f"{name}: all registers shown", not missing, f"missing {missing}"))
            checks.append(check(f"{name}: the oops names the task",
                                re.search(r"^CPU: 0 PID: 1 Comm: init ", text, re.M) is not None))
            trace = text[text.find("Call Trace:"):]
            checks.append(check(f"{name}: backtrace names {function}",
                                re.search(rf"^ (\? )?{function}\+0x[0-9a-f]+/0x[0-9a-f]+$", trace,
                                          re.M) is not None, "not in the Call Trace"))
            if intact_stack:
                checks.append(check(f"{name}: backtrace reaches kernel_init",
                                    re.search(r"^ kernel_init\+0x", trace, re.M) is not None))
            checks.append(check(f"{name}: panics and reboots (panic=-1)",
                                "Kernel panic - not syncing" in text and m.returncode == 0,
                                f"QEMU exit status {m.returncode}"))
        return checks
    return run


PF_NULL = [r"^crash: triggering 'pf'",
           r"^BUG: kernel NULL pointer dereference, address: 0000000000000010$",
           r"^#PF: supervisor read access in kernel mode$",
           r"^#PF: error_code\(0x0000\) - not-present page$",
           r"^Oops: page fault: 0000 \[#1\]",
           r"^RIP: 0008:crash_null_deref\+0x[0-9a-f]+/0x[0-9a-f]+$",
           r"^CR0: [0-9a-f]{16} CR2: 0000000000000010 ",
           r"^Kernel panic - not syncing: Fatal exception$"]
PF_WRITE = [r"^BUG: unable to handle page fault for address: 000000dead000000$",
            r"^#PF: supervisor write access in kernel mode$",
            r"^#PF: error_code\(0x0002\) - not-present page$",
            r"^RIP: 0008:crash_wild_write\+",
            r"CR2: 000000dead000000 "]
NULLCALL = [r"^BUG: kernel NULL pointer dereference, address: 0000000000000000$",
            r"^#PF: supervisor instruction fetch in kernel mode$",
            r"^Oops: page fault: 0010 \[#1\]",
            r"^RIP: 0008:0x0000000000000000$",
            r"^Code: Unable to access opcode bytes at 0x0000000000000000\.$",
            r"^Call Trace:$", r"^ \? crash_null_call\+"]
UD = [r"^Oops: invalid opcode: 0000 \[#1\]",
      r"^RIP: 0008:crash_invalid_opcode\+",
      r"^Code: (?:[0-9a-f]{2} ){42}<0f> 0b ",     # the bytes at RIP are ud2
      r"^Kernel panic - not syncing: Fatal exception$"]
DE = [r"^Oops: divide error: 0000 \[#1\]", r"^RIP: 0008:crash_divide_error\+"]
GP = [r"^Oops: general protection fault: 0000 \[#1\]", r"^RIP: 0008:crash_general_protection\+"]
STACK = [r"^kernel stack overflow: RSP [0-9a-f]{16} is in the guard below the stack of init "
         r"\(pid 1\) \[[0-9a-f]{16}-[0-9a-f]{16}\)$",
         r"^Oops: kernel stack overflow \(double-fault\): 0000 \[#1\]",
         r"^RIP: 0008:crash_recurse\+",
         r"^ crash_recurse\+0x[0-9a-f]+/0x[0-9a-f]+$",
         r"^ \.\.\. crash_recurse\+0x[0-9a-f]+/0x[0-9a-f]+ repeated \d+ more times$",
         r"^ crash_stack_overflow\+"]
STACKPROT = [r"^Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: "
             r"crash_stackprotector\+0x[0-9a-f]+/0x[0-9a-f]+$"]
PANIC = [r"^Kernel panic - not syncing: crash test requested$",
         r"^RIP: 0008:crash_panic\+", r"^Call Trace:$", r"^ crash_panic\+", r"^---\[ end Kernel panic - not syncing: crash test requested \]---$"]


# ---------------------------------------------------------------- shell and command line

def run_shell(m):
    name = m.spec.name
    checks = []
    m.expect(r"teachos# ")
    out = m.command("help")
    checks.append(check(f"{name}: help lists the commands",
                        all(re.search(rf"^  {c} ", out, re.M) for c in
                            ["cmdline", "meminfo", "reboot", "halt", "uptime", "dmesg"]), out))
    out = m.command("ecxo\x7f\x7fho edited line")
    checks.append(check(f"{name}: backspace edits the line", out.splitlines()[-1:] ==
                        ["edited line"], repr(out)))
    out = m.command("echo abandoned\x03", enter="")
    checks.append(check(f"{name}: Ctrl-C abandons the line", "^C" in out and
                        "abandoned\n" not in out.replace("echo abandoned", ""), repr(out)))
    m.command("echo from history")
    out = m.command("\x1b[A")
    checks.append(check(f"{name}: up arrow recalls the last line",
                        out.count("from history") == 2, repr(out)))
    out = m.command("frobnicate now")
    checks.append(check(f"{name}: unknown command reported",
                        "frobnicate: command not found" in out, repr(out)))
    out = m.command("loglevel 99")
    checks.append(check(f"{name}: bad argument gives the usage line",
                        "usage: loglevel [0..8]" in out, repr(out)))
    out = m.command("cmdline")
    checks.append(check(f"{name}: cmdline shows the command line",
                        out.splitlines()[-1:] == [m.spec.cmdline], repr(out)))
    out = m.command("uptime")
    up = re.search(r"\(([\d.]+) s since kernel entry\)", out)
    checks.append(check(f"{name}: uptime is plausible",
                        up is not None and 0.01 < float(up.group(1)) < m.spec.timeout, repr(out)))
    out = m.command("crash int3")
    checks.append(check(f"{name}: int3 reported and survived",
                        re.search(r"int3 at crash_int3\+0x[0-9a-f]+/0x[0-9a-f]+: resuming", out)
                        is not None and "'int3' survived" in out, repr(out)))
    out = m.command("crash warn")
    checks.append(check(f"{name}: WARN_ON reported with a trace and survived",
                        re.search(r"WARNING: CPU: 0 PID: 1 at kernel/crash\.c:\d+ "
                                  r"crash_warn\+0x[0-9a-f]+/0x[0-9a-f]+: zero == 0", out)
                        is not None and re.search(r"^\[[ \d.]+\]  cmd_crash\+", out, re.M)
                        is not None and "'warn' survived" in out, repr(out)))
    out = m.command("crash stray")
    checks.append(check(f"{name}: stray IRQ logged, not fatal",
                        "stray IRQ 5 (vector 37) with no handler" in out and
                        "'stray' survived" in out, repr(out)))
    out = m.command("interrupts")
    serial = re.search(r"^\s*4:\s+(\d+)\s+(IO-APIC|XT-PIC)\s+\d+-edge\s+ttyS0$", out, re.M)
    checks.append(check(f"{name}: interrupts counts the stray IRQ and the keyboard input",
                        re.search(r"^ERR:\s+1\s", out, re.M) is not None and serial is not None
                        and int(serial.group(1)) >= m.commands_sent - 1, repr(out)))
    out = m.command("dmesg -l 5")
    checks.append(check(f"{name}: dmesg shows the log with timestamps",
                        re.search(r"^\[\s*\d+\.\d{6}\] Command line: ", out, re.M) is not None
                        and "Memory: " not in out, "level filter or content wrong"))
    m.send("reboot\r")
    checks.append(check(f"{name}: reboot restarts the machine", m.wait_exit() == 0))
    return checks


# ---------------------------------------------------------------- scheduling from the shell

PS_HEADER = "  PID STAT CLS RTPRIO PRI  NI     VRUNTIME     TIME COMMAND"
PS_ROW = re.compile(r"^ *(\d+) (\S+) +(\S+) +(\S+) +(\S+) +(\S+) +(\S+) +(\S+) (\S+)$")
TOP_ROW = re.compile(r"^ *(\d+) root +(\S+) +(-?\d+) +\d+ +\d+ +\d+ (\S) +([\d.]+) +([\d.]+) "
                     r"+(\d+:\d\d\.\d\d) (\S+)$")
CHRT_M = ["SCHED_OTHER min/max priority\t: 0/0", "SCHED_FIFO min/max priority\t: 1/99",
          "SCHED_RR min/max priority\t: 1/99", "SCHED_BATCH min/max priority\t: 0/0",
          "SCHED_IDLE min/max priority\t: 0/0", "SCHED_DEADLINE min/max priority\t: 0/0"]


def lines_of(out):
    """What a command printed, without the echoed command line."""
    return out.splitlines()[1:]


def ps_rows(out):
    """{pid: (stat, cls, rtprio, pri, ni, vruntime, time, comm)} from the default ps."""
    return {int(r.group(1)): r.groups()[1:] for r in map(PS_ROW.match, lines_of(out)) if r}


def spawned_pid(out):
    m = re.search(r"^\[(\d+)\] (\d+)$", out, re.M)
    return int(m.group(2)) if m else None


def top_screens(out):
    """The screens of `top -b`: [(summary lines, {pid: row fields})]."""
    screens = []
    for chunk in re.split(r"^(?=top - )", out, flags=re.M)[1:]:
        lines = chunk.splitlines()
        rows = {int(r.group(1)): r.groups()[1:] for r in map(TOP_ROW.match, lines) if r}
        screens.append((lines[:7], rows))
    return screens


def gone_after_kill(m, pid):
    """kill is asynchronous, as on Linux: the workload ends when it next runs, which for a
    throttled FIFO task is when the rt period ends, up to 50 ms later (plus TCG's noise)."""
    for _ in range(20):
        if pid not in ps_rows(m.command(f"ps -p {pid}")):
            return True
        time.sleep(0.2)
    return False


def sched_shell_policies(m, name, a, b):
    """chrt -p and renice print exactly util-linux's lines; ps shows the policy columns."""
    checks = []
    out = m.command(f"chrt -f -p 10 {a}")
    checks.append(check(f"{name}: chrt -f -p 10 prints nothing", lines_of(out) == [], repr(out)))
    out = m.command(f"chrt -p {a}")
    checks.append(check(f"{name}: chrt -p shows SCHED_FIFO 10", lines_of(out) == [
        f"pid {a}'s current scheduling policy: SCHED_FIFO",
        f"pid {a}'s current scheduling priority: 10"], repr(out)))
    out = m.command(f"renice -n 5 -p {b}")
    checks.append(check(f"{name}: renice prints util-linux's line", lines_of(out) ==
                        [f"{b} (process ID) old priority 0, new priority 5"], repr(out)))
    out = m.command("ps")
    rows = ps_rows(out)
    checks.append(check(f"{name}: ps header", lines_of(out)[:1] == [PS_HEADER], repr(out)))
    checks.append(check(f"{name}: ps shows the FIFO task: R, FF, rtprio 10, PRI 50, no NI",
                        rows.get(a, ())[:6] == ("R", "FF", "10", "50", "-", "-"), repr(out)))
    checks.append(check(f"{name}: ps shows the niced task: RN, TS, PRI 14, NI 5, a vruntime",
                        rows.get(b, ())[:5] == ("RN", "TS", "-", "14", "5") and
                        re.match(r"^-?\d+\.\d{3}$", rows[b][5]) is not None, repr(out)))
    checks.append(check(f"{name}: ps shows init and the idle task",
                        rows.get(1, ())[1:2] == ("TS",) and rows.get(0, ())[:2] == ("I", "-"),
                        repr(out)))
    return checks


def cpu_seconds(m, pid):
    out = m.command(f"ps -o time= -p {pid}")
    t = re.search(r"^(\d\d):(\d\d):(\d\d)$", out, re.M)
    return int(t.group(1)) * 3600 + int(t.group(2)) * 60 + int(t.group(3)) if t else -99


def sched_shell_idle_shell(m, name, a, b):
    """With no fair task runnable and the shell waiting for input, the CPU idles in each
    throttled 50 ms; the FIFO loop must resume when the rt period ends, not when the next
    key comes: the idle CPU keeps its tick while rt tasks wait for the throttle."""
    m.command(f"kill -STOP {b}")
    before = cpu_seconds(m, a)
    time.sleep(4)
    after = cpu_seconds(m, a)
    m.command(f"kill -CONT {b}")
    return [check(f"{name}: a FIFO loop beside an idle shell runs ~95% (3+ s of 4)",
                  after - before >= 3, f"{before} s -> {after} s")]


def sched_shell_top(m, name, a, b):
    """Over three seconds, the FIFO loop gets the rt share (950 ms of each 1 s period): about
    95%, not more; the rest goes to the fair tasks, so the shell still answers. Three
    periods, not one: a tick that comes late on a loaded host lets one period run over by
    its lateness (charged to the next one), which a 1 s window can show whole."""
    checks = []
    out = m.command("top -b -n 2 -d 3")
    screens = top_screens(out)
    checks.append(check(f"{name}: top -b -n 2 prints two screens", len(screens) == 2, repr(out)))
    if len(screens) != 2:
        return checks
    summary, rows = screens[1]
    fifo, niced = rows.get(a), rows.get(b)
    checks.append(check(f"{name}: top's summary lines", summary[1].startswith("Tasks: ") and
                        re.match(r"^%Cpu\(s\):[ \d.]{5} us,[ \d.]{5} sy,[ \d.]{5} ni,[ \d.]{5} id,",
                                 summary[2]) is not None and
                        summary[6] == "  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  "
                                      "%MEM     TIME+ COMMAND", repr(summary)))
    checks.append(check(f"{name}: the FIFO loop takes the rt share, 85..97% (throttled at 95%)",
                        fifo is not None and fifo[0] == "-11" and 85 <= float(fifo[3]) <= 97,
                        repr(fifo)))
    checks.append(check(f"{name}: it is first by %CPU, the niced fair loop shows PR 25 NI 5",
                        niced is not None and niced[:2] == ("25", "5") and
                        next(iter(rows)) == a, repr(rows)))
    out = m.command("echo still answering")
    checks.append(check(f"{name}: a FIFO busy loop does not starve the shell beyond the throttle",
                        lines_of(out) == ["still answering"], repr(out)))
    return checks


def sched_shell_kill(m, name, a, b):
    checks = []
    m.command(f"kill -STOP {a}")
    rows = ps_rows(m.command(f"ps -p {a}"))
    checks.append(check(f"{name}: kill -STOP: ps shows T", rows.get(a, ("?",))[0] == "T",
                        repr(rows)))
    m.command(f"kill -CONT {a}")
    rows = ps_rows(m.command(f"ps -p {a}"))
    checks.append(check(f"{name}: kill -CONT: R again", rows.get(a, ("?",))[0] == "R", repr(rows)))
    out = m.command(f"kill {a} {b}")
    checks.append(check(f"{name}: kill PID prints nothing", lines_of(out) == [], repr(out)))
    checks.append(check(f"{name}: the killed workloads are gone from ps",
                        gone_after_kill(m, a) and gone_after_kill(m, b)))
    return checks


def sched_shell_run_with(m, name):
    """chrt and nice run a command with the attributes: a workload has them from its start,
    and the shell gets its own back."""
    checks = []
    c = spawned_pid(m.command("chrt -f 20 spawn spin fifo20"))
    d = spawned_pid(m.command("nice -n 7 spawn spin niced7"))
    rows = ps_rows(m.command(f"ps -p {c},{d}"))
    checks.append(check(f"{name}: chrt -f 20 spawn: FIFO 20 from the start",
                        rows.get(c, ())[1:3] == ("FF", "20"), repr(rows)))
    checks.append(check(f"{name}: nice -n 7 spawn: nice 7", rows.get(d, ())[4:5] == ("7",),
                        repr(rows)))
    out = m.command("chrt -p 0")
    checks.append(check(f"{name}: the shell is SCHED_OTHER again", lines_of(out) == [
        "pid 1's current scheduling policy: SCHED_OTHER",
        "pid 1's current scheduling priority: 0"], repr(out)))
    out = m.command("nice")
    checks.append(check(f"{name}: the shell's nice is 0 again", lines_of(out) == ["0"], repr(out)))
    m.command(f"kill -KILL {c} {d}")
    checks.append(check(f"{name}: kill -KILL ends them", gone_after_kill(m, c) and
                        gone_after_kill(m, d)))
    return checks


BAD_INPUTS = [
    ("kill 1", ["kill: (1) - Operation not permitted"]),
    ("kill 0", ["kill: (0) - Operation not permitted"]),
    ("kill 99", ["kill: (99) - No such process"]),
    ("kill -FOO 99", ["kill: FOO: invalid signal specification"]),
    ("kill abc", ["kill: abc: arguments must be process or job IDs"]),
    ("chrt -f 100 spawn spin", ["chrt: unsupported priority value for the policy: 100: "
                                "see --max for valid range"]),
    ("chrt -p 999", ["chrt: failed to get pid 999's policy: No such process"]),
    ("chrt -f -p 10 999", ["chrt: failed to set pid 999's policy: No such process"]),
    ("chrt -p abc", ["chrt: invalid PID argument: 'abc'"]),
    ("chrt -x", ["chrt: invalid option -- 'x'", "Try 'chrt --help' for more information."]),
    ("chrt -d -p 0 1", ["chrt: failed to set pid 1's policy: Invalid argument"]),
    ("chrt -f 10 nosuch", ["chrt: failed to execute nosuch: No such file or directory"]),
    ("renice -n 5 -p 999", ["renice: failed to get priority for 999 (process ID): "
                            "No such process"]),
    ("renice -n 5 -p abc", ["renice: bad process ID value: abc"]),
    ("renice -n abc -p 1", ["renice: invalid priority 'abc'",
                            "Try 'renice --help' for more information."]),
    ("nice -n abc nice", ["nice: invalid adjustment 'abc'"]),
    ("nice -n 5", ["nice: a command must be given with an adjustment",
                   "Try 'nice --help' for more information."]),
    ("top -d abc", ["top: bad delay interval 'abc'"]),
    ("spawn nosuch", ["spawn: unknown workload 'nosuch'",
                      "usage: spawn [spin|sleeper|yielder|periodic MS] [-n COUNT] [NAME]"]),
]


def sched_shell_top_keys(m, name):
    """Interactive top: 'N' redraws at once (not after the 5 s delay) sorted by PID, high to
    low; 'q' quits. Then kill ends sleeping workloads too (their sleep is interruptible)."""
    pids = [spawned_pid(m.command("spawn sleeper")) for _ in range(2)]
    mark = len(m.log)
    m.send("top -d 5\r")
    m.expect(r"TIME\+ COMMAND\n(.*\n){3}", since=mark, timeout=20)
    mark = len(m.log)
    m.send("N")
    try:
        m.expect(r"TIME\+ COMMAND\n(.*\n){3}", since=mark, timeout=3)
        redrawn = True
    except Timeout:
        redrawn = False
    m.send("q")
    m.expect(r"teachos# ", since=mark, timeout=20)
    screen = m.text(mark)
    # The first screen after N: its rows up to the blank line that ends the list.
    first = screen[screen.find("TIME+ COMMAND\n"):].split("\n\n")[0].splitlines()
    shown = [int(r.group(1)) for r in map(TOP_ROW.match, first) if r]
    checks = [check(f"{name}: top's N key redraws at once, sorted by PID; q quits",
                    redrawn and shown[:2] == sorted(pids, reverse=True)
                    and shown == sorted(shown, reverse=True) and shown[-1] == 1, repr(screen))]
    m.command(f"kill {pids[0]} {pids[1]}")
    checks.append(check(f"{name}: kill ends sleeping workloads",
                        gone_after_kill(m, pids[0]) and gone_after_kill(m, pids[1])))
    return checks


def run_sched_shell(m):
    """Issue 7's interface: spawn, chrt, renice, ps, top, kill from the shell."""
    name = m.spec.name
    m.expect(r"teachos# ")
    out = m.command("chrt -m")
    checks = [check(f"{name}: chrt -m as util-linux", lines_of(out) == CHRT_M, repr(out))]
    a = spawned_pid(m.command("spawn spin"))
    b = spawned_pid(m.command("spawn spin"))
    checks.append(check(f"{name}: spawn prints [JOB] PID", a and b and b == a + 1, f"{a} {b}"))
    if not (a and b):
        return checks
    checks += sched_shell_policies(m, name, a, b)
    checks += sched_shell_idle_shell(m, name, a, b)
    checks += sched_shell_top(m, name, a, b)
    checks += sched_shell_kill(m, name, a, b)
    checks += sched_shell_run_with(m, name)
    for cmd, want in BAD_INPUTS:
        out = m.command(cmd)
        checks.append(check(f"{name}: '{cmd}' says so", lines_of(out) == want, repr(out)))
    checks += sched_shell_top_keys(m, name)
    out = m.command("echo fine")
    checks.append(check(f"{name}: the kernel goes on", lines_of(out) == ["fine"], repr(out)))
    return checks


def run_bad_cmdline(m):
    name = m.spec.name
    m.expect(r"teachos# ")
    text = "\n".join(m.kernel_lines())
    want = [r"^cmdline: invalid value 'abc' for 'loglevel': expected a number 0\.\.8; ignored$",
            r"^cmdline: invalid value '' for 'ktest': expected all or a comma-separated",
            r"^cmdline: Unknown kernel command line parameters \"bogus=1 noequals\", ignored\.$",
            r"^crash: unknown crash kind 'nosuch'$"]
    checks = [check(f"{name}: /{w}/", re.search(w, text, re.M) is not None) for w in want]
    out = m.command("echo still fine")
    checks.append(check(f"{name}: the boot went on to the shell", "still fine" in out))
    return checks


SYSCTL_CMDLINE = ("sysctl.kernel.sched_rr_timeslice_ms=30 sysctl.kernel.nosuch=1 "
                  "sysctl.kernel.sched_rt_runtime_us=2000000 sysctl.kernel.sched_latency_ns=abc")
SYSCTL_NAMES = ["dev.block.fail_writes", "dev.ramdisk.delay_us", "kernel.sched_latency_ns",
                "kernel.sched_min_granularity_ns", "kernel.sched_rr_timeslice_ms",
                "kernel.sched_rt_period_us", "kernel.sched_rt_runtime_us",
                "kernel.sched_wakeup_granularity_ns", "kernel.threads-max",
                "vm.dirty_background_bytes", "vm.dirty_background_ratio", "vm.dirty_bytes",
                "vm.dirty_expire_centisecs", "vm.dirty_ratio", "vm.dirty_writeback_centisecs",
                "vm.drop_caches"]


def run_sysctl(m):
    """sysctl.NAME=VALUE on the command line (a good one taken, bad ones reported and
    ignored), then the shell's sysctl as procps prints it: read, -n, set, -w with a value
    out of range, an unknown key, -a sorted."""
    name = m.spec.name
    m.expect(r"teachos# ")
    text = "\n".join(m.kernel_lines())
    want = [r"^cmdline: no such sysctl, so no value '1' for 'sysctl\.kernel\.nosuch'; ignored$",
            r"^cmdline: invalid value '2000000' for 'sysctl\.kernel\.sched_rt_runtime_us'; "
            r"ignored$",
            r"^cmdline: invalid value 'abc' for 'sysctl\.kernel\.sched_latency_ns'; ignored$"]
    checks = [check(f"{name}: /{w}/", re.search(w, text, re.M) is not None) for w in want]
    session = [
        ("sysctl kernel.sched_rr_timeslice_ms", ["kernel.sched_rr_timeslice_ms = 30"]),
        ("sysctl -n kernel.sched_rt_runtime_us kernel.sched_latency_ns", ["950000", "6000000"]),
        ("sysctl kernel.sched_rt_runtime_us=500000", ["kernel.sched_rt_runtime_us = 500000"]),
        ("sysctl -n kernel.sched_rt_runtime_us", ["500000"]),
        ("sysctl -w kernel.sched_rt_runtime_us=2000000",
         ['sysctl: setting key "kernel.sched_rt_runtime_us": Invalid argument']),
        ("sysctl -w kernel.sched_rt_runtime_us",
         ['sysctl: "kernel.sched_rt_runtime_us" must be of the form name=value']),
        ("sysctl kernel.foo", ["sysctl: cannot stat /proc/sys/kernel/foo: "
                               "No such file or directory"]),
        ("sysctl -q kernel.sched_rt_runtime_us=-1", []),
        ("sysctl -a", [f"{n} = {v}" for n, v in zip(SYSCTL_NAMES, [0, 0, 6000000, 750000, 30,
                                                                  1000000, -1, 1000000, 64,
                                                                  0, 10, 0, 3000, 20, 500,
                                                                  0])]),
    ]
    for line, expected in session:
        out = lines_of(m.command(line))
        checks.append(check(f"{name}: {line}", out == expected, repr(out)))
    return checks


def run_quiet_console(m):
    """loglevel=1 hides info and notice lines on the console; dmesg still has them all,
    because the console replay and filtering happen after the log was written."""
    name = m.spec.name
    m.expect(r"teachos# ")
    console = m.text()
    out = m.command("dmesg")
    return [
        check(f"{name}: console shows no info lines", "BIOS-e820" not in console
              and "Linux-style teaching kernel" not in console),
        check(f"{name}: dmesg has the early lines", "Linux-style teaching kernel" in out and
              "BIOS-e820: [mem 0x0000000000000000-" in out, repr(out[-300:])),
    ]


MEMORY_LINE = re.compile(r"^Memory: (\d+)K/(\d+)K available \((\d+)K kernel code, (\d+)K rodata, "
                         r"(\d+)K data\+bss, (\d+)K mem_map, (\d+)K page tables, (\d+)K reserved\)$")
RESERVED = re.compile(r"^memblock: reserved \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (.+)$")


def run_free_totals(m):
    """`free` must show what the memory map gave minus what the boot kept, to the page:
    usable e820 RAM (page-aligned inward) minus the reservations the log names (kernel
    image, boot information, the low 1 MiB) minus mem_map and boot page tables."""
    name = m.spec.name
    m.expect(r"teachos# ")
    lines = m.kernel_lines()
    usable = [(int(a, 16), int(b, 16) + 1) for a, b, t in
              (E820.match(l).groups() for l in lines if E820.match(l)) if t == "usable"]
    ram = sum((b // 4096) - ((a + 4095) // 4096) for a, b in usable if b // 4096 > (a + 4095) // 4096)
    mem = next((MEMORY_LINE.match(l) for l in lines if MEMORY_LINE.match(l)), None)
    if not mem:
        return [check(f"{name}: boot summary line", False, "no 'Memory: ...K/...K available' line")]
    avail_k, ram_k, code, ro, data, memmap, pgt, reserved_k = map(int, mem.groups())
    # Pages of the reservations the log names (rounded out to pages, a page shared by two
    # counted once), inside usable RAM.
    reserved_pages = set()
    for l in lines:
        r = RESERVED.match(l)
        if r:
            reserved_pages.update(range(int(r.group(1), 16) // 4096, int(r.group(2), 16) // 4096 + 1))
    named = sum(1 for p in reserved_pages
                if any((ua + 4095) // 4096 <= p < ub // 4096 for ua, ub in usable))
    out = m.command("free -k")
    row = re.search(r"^Mem:\s+(\d+)\s+(\d+)\s+(\d+)\s+0\s+0\s+(\d+)$", out, re.M)
    checks = [
        check(f"{name}: RAM in the summary = usable e820 pages", ram_k == ram * 4,
              f"summary {ram_k}K, e820 {ram * 4}K"),
        check(f"{name}: reserved = named reservations + mem_map + page tables",
              reserved_k == (named * 4 + memmap + pgt), f"{reserved_k}K vs {named * 4}K named "
              f"+ {memmap}K mem_map + {pgt}K page tables"),
        check(f"{name}: available = RAM - reserved", avail_k == ram_k - reserved_k),
        check(f"{name}: free shows the total", row is not None and int(row.group(1)) == avail_k,
              repr(out)),
    ]
    if row:
        total, used, free, available = map(int, row.groups())
        checks.append(check(f"{name}: used + free = total", used + free == total, repr(out)))
        checks.append(check(f"{name}: most memory is free after boot", free > total * 0.9,
                            repr(out)))
    out = m.command("free -m")
    row_m = re.search(r"^Mem:\s+(\d+)\s", out, re.M)
    checks.append(check(f"{name}: free -m is free -k in MiB", row_m is not None and
                        int(row_m.group(1)) == avail_k // 1024, repr(out)))
    return checks


BUDDY_LINE = re.compile(r"^  Node 0, zone +(\S+)((?: +\d+){11}) *$", re.M)


def run_demo_buddy(m):
    """demo=buddy: the numbers in its buddyinfo lines must tell the story it claims."""
    name = m.spec.name
    m.expect(r"teachos# ")
    steps = [list(map(int, b.split())) for _, b in BUDDY_LINE.findall(m.text())]
    if len(steps) != 5:
        return [check(f"{name}: five buddyinfo snapshots", False, f"found {len(steps)}")]
    start, one, taken, half, end = steps
    free = [sum(n << o for o, n in enumerate(s)) for s in steps]
    return [
        check(f"{name}: an order-3 block took 8 pages", free[0] - free[1] == 8),
        check(f"{name}: 32 order-1 blocks took 64 pages", free[1] - free[2] == 64),
        check(f"{name}: freeing every other one gives 16 order-1 blocks that cannot merge",
              half[1] - taken[1] == 16 and half[2] == taken[2], f"{taken} -> {half}"),
        check(f"{name}: everything merges back to the start", end == start, f"{start} vs {end}"),
        check(f"{name}: the demo says so", "back to the state at the start: yes" in m.text()),
    ]


VMALLOCINFO = re.compile(r"^0x([0-9a-f]{16})-0x([0-9a-f]{16}) +(\d+) (\S+) pages=(\d+) vmalloc"
                         r"( vpages)?$", re.M)


def run_demo_vmalloc(m):
    """demo=vmalloc: with memory fragmented so that no order-10 block is free, kmalloc of
    4 MiB fails and vmalloc of 4 MiB works, from scattered frames; vmallocinfo shows the
    area (4 MiB + the guard page) and the kernel stacks; everything comes back; meminfo's
    Vmalloc lines agree with vmallocinfo."""
    name = m.spec.name
    m.expect(r"teachos# ")
    text = m.text()
    frag = text[text.find("\nfragmented"):text.find("kmalloc(4 MiB) = ")]
    orders = [list(map(int, b.split())) for _, b in BUDDY_LINE.findall(
        "\n".join("  " + l.rstrip() for l in frag.splitlines()))]
    free_kib = re.search(r"fragmented .*: (\d+) KiB free", text)
    v = re.search(r"^vmalloc\(4 MiB\) = 0x([0-9a-f]{16}): works", text, re.M)
    runs = re.search(r"\(1024 pages in (\d+) runs of consecutive frames\)", text)
    areas = {int(a, 16): (int(b, 16), int(size), caller, int(pages), bool(vp))
             for a, b, size, caller, pages, vp in VMALLOCINFO.findall(text)}
    area = areas.get(int(v.group(1), 16)) if v else None
    end = re.search(r"^free pages (\d+), were (\d+): (\d+) page-table pages stay", text, re.M)
    # meminfo's Vmalloc lines against the areas vmallocinfo lists at the same moment.
    meminfo = dict(re.findall(r"^(Vmalloc\w+): +(\d+) kB$", m.command("meminfo"), re.M))
    info = m.command("vmallocinfo")
    listed = sum(int(p) for *_, p, _ in VMALLOCINFO.findall(info))
    unpurged = "unpurged vm_area" in info
    used = int(meminfo.get("VmallocUsed", -1))
    return [
        check(f"{name}: meminfo: VmallocTotal is the 32 TiB area, VmallocUsed the pages of "
              "the vmalloc areas listed (unpurged ones still held), VmallocChunk most of it",
              meminfo.get("VmallocTotal") == str(32 << 30)
              and (used >= 4 * listed if unpurged else used == 4 * listed) and listed > 0
              and (1 << 30) < int(meminfo.get("VmallocChunk", 0)) <= 32 << 30,
              f"{meminfo}, {listed} pages listed, unpurged: {unpurged}"),
        check(f"{name}: no free order-10 block once fragmented, megabytes still free",
              orders and all(o[10] == 0 for o in orders) and free_kib is not None
              and int(free_kib.group(1)) > 4096, f"{orders} {free_kib}"),
        check(f"{name}: kmalloc(4 MiB) fails", "kmalloc(4 MiB) = NULL: failed" in text),
        check(f"{name}: vmalloc(4 MiB) works from scattered frames", v is not None and
              runs is not None and int(runs.group(1)) > 1, str(runs)),
        check(f"{name}: vmallocinfo shows it: 4 MiB + guard, 1024 pages, the caller",
              area is not None and area[0] - int(v.group(1), 16) == area[1] == 4198400
              and area[2].startswith("demo_vmalloc+0x") and area[3] == 1024 and area[4],
              str(area)),
        check(f"{name}: vmallocinfo shows init's stack (16 KiB + guard, from create_task)",
              any(s == 20480 and c.startswith("create_task+0x") and n == 4
                  for _, s, c, n, _ in areas.values()), str(areas)),
        check(f"{name}: the pages come back but for kept page tables and slab pages",
              end is not None and int(end.group(1)) + int(end.group(3)) + 16
              >= int(end.group(2)), end.group(0) if end else "no summary"),
    ]


def run_ktest_ubsan(m):
    """The UBSAN kernel passes its tests and reports exactly the one deliberate bug."""
    checks = run_ktest(m)
    reports = re.findall(r"^UBSAN: (\S+) in (\S+):\d+:\d+$", "\n".join(m.kernel_lines()), re.M)
    checks.append(check(f"{m.spec.name}: no undefined behaviour but the deliberate shift",
                        reports == [("shift-out-of-bounds", "tests/kernel/test_lib.c")],
                        str(reports)))
    return checks


FOO_ROW = re.compile(r"^  foo +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) : tunables +0 +0 +0 : "
                     r"slabdata +(\d+) +(\d+) +0$", re.M)


def run_demo_slab(m):
    """demo=slab: the slabinfo rows of the 117-byte struct foo cache add up, and kmalloc's
    size classes give the course's ksize(kmalloc(160)) == 192."""
    name = m.spec.name
    m.expect(r"teachos# ")
    rows = [tuple(map(int, r)) for r in FOO_ROW.findall(m.text())]
    if len(rows) != 4:
        return [check(f"{name}: four slabinfo rows for foo", False, f"found {len(rows)}")]
    (a0, n0, size, per, pages, *_), (a1, n1, _, _, _, act1, slabs1), \
        (a2, n2, _, _, _, _, slabs2), (a3, n3, _, _, _, _, slabs3) = rows
    return [
        check(f"{name}: 117-byte objects in 120-byte slots, as many as fit a page",
              size == 120 and per == 4096 * pages // size and a0 == n0 == 0, str(rows[0])),
        check(f"{name}: 100 objects fill ceil(100/per) slabs", a1 == 100 and
              slabs1 == -(-100 // per) and n1 == slabs1 * per, str(rows[1])),
        check(f"{name}: freeing keeps the slabs, shrink returns them",
              a2 == 0 and slabs2 == slabs1 and a3 == n3 == slabs3 == 0, f"{rows[2]} {rows[3]}"),
        check(f"{name}: ksize(kmalloc(160)) == 192",
              re.search(r"kmalloc\(  160\): ksize   192,", m.text()) is not None),
    ]


LAZY_LINE = re.compile(r"^\[[ .0-9]+\] (started|after malloc|after touch): max RSS = (\d+) kB; "
                       r"vm size = (\d+) kB$", re.M)


def run_demo_lazy(m):
    """demo=lazy: the VSZ grows by 400 MiB at the reservation, the RSS stays 0 until the
    pages are touched, and touching costs exactly one fault per page."""
    name = m.spec.name
    m.expect(r"demo: lazy: done", timeout=240)
    rows = {when: (int(rss), int(vsz)) for when, rss, vsz in LAZY_LINE.findall(m.text())}
    faults = re.search(r"lazy: (\d+) pages touched, (\d+) page faults", m.text())
    maps = re.search(r"lazy: maps: ([0-9a-f]+)-([0-9a-f]+) rw-p 00000000 00:00 0 $", m.text(), re.M)
    size_kb = 400 * 1024
    return [
        check(f"{name}: nothing mapped at the start", rows.get("started") == (0, 0), str(rows)),
        check(f"{name}: the reservation grows VSZ only",
              rows.get("after malloc") == (0, size_kb), str(rows)),
        check(f"{name}: touching grows RSS to the whole reservation",
              rows.get("after touch") == (size_kb, size_kb), str(rows)),
        check(f"{name}: one fault per page touched", faults is not None and
              int(faults.group(1)) == int(faults.group(2)) == size_kb // 4,
              faults.group(0) if faults else "no fault line"),
        check(f"{name}: maps shows one 400 MiB private anonymous VMA", maps is not None and
              int(maps.group(2), 16) - int(maps.group(1), 16) == size_kb * 1024),
    ]


def run_vm_shell(m):
    """The shell's own address space: vm map reserves, vm touch faults once per page,
    protections and bad addresses are enforced by the fault handler without an oops."""
    name = m.spec.name
    m.expect(r"teachos# ")
    out = m.command("vm map 1M")
    got = re.search(r"mapped ([0-9a-f]+)-([0-9a-f]+) \(256 pages\)", out)
    if not got:
        return [check(f"{name}: vm map answers", False, out)]
    a = int(got.group(1), 16)
    maps = m.command("maps")
    first = m.command(f"vm touch {a:x} 64K")
    again = m.command(f"vm touch {a:x} 64K")
    m.command(f"vm protect {a:x} 4K r")
    ro = m.command(f"vm touch {a:x}")
    bad = m.command("vm read 1000")
    walk = m.command(f"pagewalk {a + 4096:x}")
    m.command("vm free")
    gone = m.command("maps")
    return [
        check(f"{name}: maps lists the VMA", f"{a:012x}-{a + (1 << 20):012x} rw-p 00000000 00:00 0"
              in maps, maps),
        check(f"{name}: first touch of 16 pages: 16 faults",
              "touched 16 pages: 16 page faults" in first, first),
        check(f"{name}: touching them again: no fault", "touched 16 pages: 0 page faults" in again,
              again),
        check(f"{name}: a write to a read-only VMA is refused (error code 0x3)",
              "faulted (error code 0x3)" in ro, ro),
        check(f"{name}: an address outside every VMA faults", "faulted (error code 0)" in bad, bad),
        check(f"{name}: pagewalk shows a user page, writable, not executable",
              "effective rights: rw-, user" in walk, walk),
        check(f"{name}: vm free gives the space back", "kernel thread" in gone, gone),
        check(f"{name}: no oops", "Oops" not in m.text()),
    ]


DEVRES_EVENT = re.compile(r"^\S+ (\S+): DEVRES (ADD|REM|REL) (0x[0-9a-f]+) ", re.M)


def run_demo_devres(m):
    """demo=devres: each device's managed resources are released newest first, all of
    them, on a failed probe and on unbind alike."""
    name = m.spec.name
    m.expect(r"teachos# ")
    text = "\n".join(m.kernel_lines())
    live, released = {}, {}
    for dev, op, addr in DEVRES_EVENT.findall(text):
        if op == "ADD":
            live.setdefault(dev, []).append(addr)
        elif op == "REM":
            live[dev].remove(addr)
        else:
            released.setdefault(dev, []).append(addr)
    expected = {dev: list(reversed(addrs)) for dev, addrs in live.items()}
    return [
        check(f"{name}: resources of two devices seen", len(live) == 2, str(live)),
        check(f"{name}: every resource released, newest first", released == expected,
              f"released {released}, expected {expected}"),
        check(f"{name}: the failed probe is reported",
              re.search(r"probe with driver demo-sensor failed with error -5 \(3 resources "
                        r"released\)", text) is not None),
    ]


def run_ktest_pit(m):
    """Without a local APIC the scheduler tests pass on the PIT's periodic interrupt."""
    checks = run_ktest(m)
    checks.append(check(f"{m.spec.name}: the tick comes from the PIT",
                        any(l.startswith("clockevents: scheduler tick at HZ=1000 from pit")
                            for l in m.kernel_lines())))
    return checks


def run_uefi(m):
    """UEFI boots the same ISO; the EFI memory map tag is there too."""
    checks = run_ktest(m)
    lines = m.kernel_lines()
    checks.append(check(f"{m.spec.name}: EFI memory map received",
                        any(re.match(r"efi: \d+ descriptors", l) for l in lines)))
    checks += memory_checks(m)
    return checks


def run_no_long_mode(m):
    """A 32-bit-only CPU: GRUB still loads us, and the 32-bit entry must say why it stops."""
    m.expect(r"teachos: this CPU has no 64-bit long mode \(CPUID 0x80000001 EDX\.LM\); halting\.")
    return [check(f"{m.spec.name}: refuses a CPU without long mode, with a message", True)]


def run_smp_limited(m):
    """maxcpus=3 on 4 CPUs, nosmp on 2: the log says which CPUs were left off and how many
    are up, and the smp suite agrees (it reads the limit from the kernel, not from here)."""
    checks = run_ktest(m)
    lines = m.kernel_lines()
    if "nosmp" in m.spec.cmdline:
        want = ["smp: nosmp: 1 other CPU(s) left off"]
        ok = not any(l.startswith("smp: Bringing up") for l in lines)
    else:
        want = ["smp: maxcpus=3: APIC id 3 and any after it left off",
                "smp: Brought up 1 node, 3 CPUs"]
        ok = sum(l.startswith("smpboot: CPU ") and " is up" in l for l in lines) == 2
    checks.append(check(f"{m.spec.name}: the log says what was left off",
                        ok and all(w in lines for w in want), repr([l for l in lines if "smp" in l])))
    return checks


def all_boots():
    boots = [
        BootSpec("ktest-bios", run_ktest, "ktest=all panic=-1"),
        # The whole suite with 1 (above), 2, 4 and 8 CPUs: the APs are started and parked.
        BootSpec("ktest-uefi", run_uefi, "ktest=all panic=-1", mem="512M", firmware="uefi",
                 timeout=240, smp=2),
        BootSpec("ktest-ubsan", run_ktest_ubsan, "ktest=all panic=-1", kernel="ubsan", smp=4),
        BootSpec("ktest-clang-qemu64", run_ktest, "ktest=all panic=-1", kernel="clang",
                 cpu="qemu64", smp=8),
        BootSpec("smp-maxcpus", run_smp_limited, "ktest=smp maxcpus=3 panic=-1", smp=4),
        BootSpec("smp-nosmp", run_smp_limited, "ktest=smp nosmp panic=-1", smp=2),
        # No local APIC: the scheduler's tick and timers fall back to the PIT.
        BootSpec("ktest-sched-noapic", run_ktest_pit, "ktest=sched_core panic=-1",
                 cpu="qemu64,-apic"),
        BootSpec("boot-128M-qemu64", run_boot_to_shell, mem="128M", cpu="qemu64"),
        BootSpec("boot-1G", run_boot_to_shell, mem="1G"),
        BootSpec("boot-6G", run_boot_to_shell, mem="6G", timeout=120),
        BootSpec("boot-uefi-6G-qemu64", run_boot_to_shell, mem="6G", cpu="qemu64",
                 firmware="uefi", timeout=240),
        BootSpec("no-long-mode", run_no_long_mode, cpu="pentium3", timeout=30),
        BootSpec("free-64M", run_free_totals, mem="64M"),
        BootSpec("free-512M", run_free_totals, mem="512M"),
        BootSpec("free-6G", run_free_totals, mem="6G", cpu="qemu64", timeout=120),
        BootSpec("ktest-6G", run_ktest, "ktest=all panic=-1", mem="6G", timeout=180),
        BootSpec("demo-buddy", run_demo_buddy, "demo=buddy"),
        BootSpec("demo-slab", run_demo_slab, "demo=slab"),
        BootSpec("demo-devres", run_demo_devres, "demo=devres"),
        BootSpec("demo-lazy", run_demo_lazy, "demo=lazy", mem="1G", timeout=240),
        BootSpec("vm-shell", run_vm_shell),
        BootSpec("demo-sched", run_demo_sched, "demo=fifo", timeout=120),
        BootSpec("demo-latency", run_demo_latency, "demo=latency", icount=True, timeout=120),
        BootSpec("sched-trace", run_sched_trace, icount=True, timeout=240),
        BootSpec("demo-vmalloc", run_demo_vmalloc, "demo=vmalloc"),
        # The ELF loader's suite alone (it also runs in every ktest=all boot above).
        BootSpec("ktest-elf", run_ktest, "ktest=elf panic=-1"),
        BootSpec("user-programs", run_user_programs, timeout=180),
        BootSpec("user-oom", run_user_oom, mem="64M", timeout=120),
        BootSpec("user-oom-choice", run_user_oom_choice, mem="128M", timeout=120),
        BootSpec("user-init", run_user_init, "init=/sbin/init", timeout=120),
        BootSpec("user-fuzz", run_fuzz, timeout=240),
        BootSpec("ktest-slub-debug", run_ktest, "ktest=slab,slab_debug,page_alloc slub_debug panic=-1"),
        BootSpec("shell", run_shell, "loglevel=7"),
        BootSpec("sched-shell", run_sched_shell, timeout=90),
        BootSpec("bad-cmdline", run_bad_cmdline,
                 "loglevel=abc bogus=1 ktest= noequals crash=nosuch"),
        BootSpec("quiet-console", run_quiet_console, "loglevel=1"),
        BootSpec("sysctl", run_sysctl, SYSCTL_CMDLINE),
        BootSpec("acpi-pc-bios", run_acpi),
        BootSpec("acpi-q35-bios", run_acpi, machine="q35"),
        BootSpec("acpi-pc-uefi", run_acpi, firmware="uefi", mem="256M", timeout=90),
        BootSpec("acpi-q35-uefi", run_acpi, machine="q35", firmware="uefi", mem="256M", timeout=90),
        BootSpec("acpi-off", run_acpi_off, "acpi=off"),
        BootSpec("reboot-pc", run_reboot, no_reboot=False, timeout=90),
        BootSpec("reboot-q35", run_reboot, machine="q35", no_reboot=False, timeout=90),
        BootSpec("reboot-pci-q35", run_reboot, "reboot=pci", machine="q35", no_reboot=False,
                 timeout=90),
        BootSpec("reboot-triple-pc", run_reboot, "reboot=triple", no_reboot=False, timeout=90),
        BootSpec("screen-bios", run_screen, "screen-test-warning", timeout=120),
        BootSpec("screen-uefi", run_screen, "screen-test-warning", firmware="uefi",
                 timeout=180),
        BootSpec("screen-noserial", run_screen_noserial, "loglevel=5", serial=False, timeout=120),
        BootSpec("screen-vgatext", run_screen_vgatext, "nofb", timeout=120),
        BootSpec("kbd-pc-bios", run_kbd),
        BootSpec("kbd-q35-bios", run_kbd, machine="q35"),
        BootSpec("kbd-pc-uefi", run_kbd, mem="512M", firmware="uefi", timeout=240),
        BootSpec("kbd-q35-uefi", run_kbd, mem="512M", firmware="uefi", machine="q35",
                 timeout=240),
        BootSpec("kbd-no-i8042", run_kbd_absent, machine="pc,i8042=off"),
        BootSpec("kbd-q35-no-i8042", run_kbd_absent, machine="q35,i8042=off"),
        BootSpec("kbd-off", run_kbd_absent, "i8042=off"),
    ] + apic_boots(BootSpec) + matrix_boots(BootSpec) + block_boots(BootSpec) + \
        swap_boots(BootSpec)
    crashes = [("pf", PF_NULL, "crash_null_deref"), ("wild", PF_WRITE, "crash_wild_write"),
               ("nullcall", NULLCALL, "crash_null_call"),
               ("ud", UD, "crash_invalid_opcode"), ("de", DE, "crash_divide_error"),
               ("gp", GP, "crash_general_protection"), ("stack", STACK, "crash_stack_overflow"),
               ("stackprot", STACKPROT, "__stack_chk_fail"), ("panic", PANIC, "crash_panic")]
    for kind, patterns, fn in crashes:
        boots.append(BootSpec(f"oops-{kind}", oops_run(patterns, fn, intact_stack=kind != "stackprot"),
                              f"crash={kind} panic=-1"))
    return boots
