"""The system-call fuzzer (user/fuzz.c) against the running kernel (imported by
scenarios.py and by scripts/fuzz-syscalls, the long run).

user-fuzz: a warm-up round, then the free memory (after vm.drop_caches=3, so frames that
           only wait for a lazy flush and empty slabs are back) is the baseline; two
           rounds of random calls from four processes each must complete every call,
           with no unknown number answered other than -ENOSYS, no fuzzer process killed
           or hung, and reach the interesting paths (EFAULT, EBADF, EINVAL, forks, signal
           handlers); afterwards the free memory is back at the baseline, the kernel
           printed no oops, BUG, WARNING or panic, and the shell still runs programs.
Seeds are fixed (1 and 2) so a failure replays; TEACHOS_FUZZ_SEED=N picks others.
"""
import difflib
import os
import re
import time

PROMPT = "teachos# "
# Four pages of slack (measured: none), for a slab page a late free may leave in use.
LEAK_SLACK_KB = 16

SUMMARY = re.compile(
    r"^fuzz: (\d+) calls in (\d+) processes, seed (\d+): (\d+) ok, (\d+) errors \(([^)]*)\), "
    r"(\d+) bad ENOSYS, (\d+) forks, (\d+) signals handled, (\d+) killed by signal, "
    r"(\d+) hung$", re.M)
KERNEL_TROUBLE = re.compile(r"^(Oops|BUG|WARNING|Kernel panic|Call Trace)\b")


def check(name, ok, detail=""):
    return (name, "pass" if ok else "fail", "" if ok else detail)


def free_kb_after_drop(m, baseline=None):
    """(MemFree in kB once the caches that only wait have been given back, the slab,
    vmalloc and process state then: what a failed comparison shows as a diff).
    With @baseline, a shortfall is measured again, up to 5 times a second apart: a
    sigreturn probe's garbage registers may have forked an orphan that runs (holding a
    copy of the address space) until it faults and init reaps it; a leak stays."""
    for tries in range(6):
        if tries:
            time.sleep(1)
        m.command("sysctl -q vm.drop_caches=3")
        found = re.search(r"^MemFree:\s+(\d+) kB", m.command("meminfo"), re.M)
        free = int(found.group(1)) if found else None
        if baseline is None or free is None or free >= baseline[0] - LEAK_SLACK_KB:
            break
    state = "".join(m.command(c) for c in ("slabinfo", "vmallocinfo", "ps"))
    return free, state


def state_diff(before, after):
    """The lines of two free_kb_after_drop states that differ."""
    return "\n".join(l for l in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                      lineterm="", n=0)
                      if not l.startswith(("---", "+++", "@@")))


def fuzz_round(m, calls, procs, seed, timeout):
    """Run the fuzzer once: (summary dict or None, its output)."""
    mark = len(m.log)
    m.send(f"run fuzz -n {calls} -p {procs} -s {seed}\r")
    m.expect(r"^fuzz: \d+ calls in \d+ processes, seed", since=mark, timeout=timeout)
    m.expect(re.escape(PROMPT), since=mark, timeout=60)
    out = m.text(mark)
    found = SUMMARY.search(out)
    if not found:
        return None, out
    g = [int(x) if x.isdigit() else x for x in found.groups()]
    errors = dict((k, int(v)) for k, v in re.findall(r"(\w+) (\d+)", g[5]))
    keys = ("calls", "procs", "seed", "ok", "errors")
    summary = dict(zip(keys, g[:5]), errnos=errors, bad_enosys=g[6], forks=g[7],
                   signals=g[8], killed=g[9], hung=g[10],
                   # `run` reports a non-zero status or a deadly signal, and only those.
                   exit_ok=not re.search(r"^run: /bin/fuzz: ", out, re.M))
    return summary, out


def round_checks(name, s, out, calls, procs):
    """What every round must show."""
    if s is None:
        return [check(f"{name}: the fuzzer prints its summary", False, out[-3000:])]
    seed = s["seed"]
    return [
        check(f"{name}: seed {seed}: all {calls} calls made by {procs} processes",
              s["calls"] == calls and s["procs"] == procs and
              s["ok"] + s["errors"] == calls, out[-3000:]),
        check(f"{name}: seed {seed}: every number the kernel lacks answers -ENOSYS",
              s["bad_enosys"] == 0, out[-3000:]),
        check(f"{name}: seed {seed}: no fuzzer process killed or hung, exit status 0",
              s["killed"] == 0 and s["hung"] == 0 and s["exit_ok"], out[-3000:]),
        check(f"{name}: seed {seed}: bad pointers, fds and arguments reached the kernel "
              f"(EFAULT, EBADF, EINVAL, ENOSYS), forks and signal handlers ran",
              all(s["errnos"].get(e, 0) > 0 for e in ("EFAULT", "EBADF", "EINVAL", "ENOSYS"))
              and s["forks"] > 0 and s["signals"] > 0, out[-3000:]),
    ]


def kernel_checks(m, name, baseline_state, after_state):
    (baseline, before), (after, now) = baseline_state, after_state
    trouble = [l for l in m.kernel_lines() if KERNEL_TROUBLE.match(l)]
    return [
        check(f"{name}: no oops, BUG, WARNING or panic from the kernel", not trouble,
              "\n".join(trouble[:40])),
        check(f"{name}: free memory back at its level after the fuzzers exit "
              f"(baseline {baseline} kB, after {after} kB, slack {LEAK_SLACK_KB} kB)",
              # More free than at the start is no leak: what the kernel kept at the
              # baseline (a cache's empty slabs, its page tables) may be reclaimed since.
              baseline is not None and after is not None and
              after >= baseline - LEAK_SLACK_KB,
              f"baseline {baseline} kB, after {after} kB; what changed:\n"
              + state_diff(before, now)),
    ]


def run_fuzz(m):
    name = m.spec.name
    first = int(os.environ.get("TEACHOS_FUZZ_SEED", "1"))
    m.expect(re.escape(PROMPT))
    fuzz_round(m, 4000, 2, 1000 + first, timeout=60)	# warm-up: caches reach their size
    baseline = free_kb_after_drop(m)
    results = []
    for seed in (first, first + 1):
        s, out = fuzz_round(m, 25000, 4, seed, timeout=120)
        results += round_checks(name, s, out, 25000, 4)
    after = free_kb_after_drop(m, baseline)
    results += kernel_checks(m, name, baseline, after)
    hello = m.command("run hello still")
    results.append(check(f"{name}: the shell still runs programs", 'argv[1] = "still"' in hello,
                         hello))
    return results
