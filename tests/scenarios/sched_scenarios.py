"""Scenarios of the scheduler's demonstrations and trace (imported by scenarios.py).

demo-sched:   demo=fifo at boot, then demo rr and cfs from the shell: the orders the course
              states, the shares against the weights, every thread joined.
demo-latency: demo=latency under -icount: each fair thread's longest wait between two runs
              is the other threads' slices, to the tick.
sched-trace:  `sched record`, `demo schedmix`, `sched stop`, then `sched map` and `sched
              dump`: the map is perf's, line for line, and agrees with the dump; the dump
              shows the rules at work (the FIFO thread preempts at once, the RR threads
              take 100 ms turns while no fair thread runs, each thread's running time adds
              up to the CPU time the demo printed, to the ns); scripts/sched-svg draws one
              lane per task and one running stretch per switch.
sched-trace and demo-latency boot with -icount: guest time is counted in instructions, so a busy host
cannot stretch a slice and its timings are checked to the ms. demo-sched boots without
(its demos would take minutes under -icount), so it checks orders exactly and times loosely;
the kernel tests of tests/kernel/test_sched_classes.c check those exactly, with retries.
"""
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def check(name, ok, detail=""):
    return (name, "pass" if ok else "fail", "" if ok else detail)


def no_leftovers(name, m):
    left = re.findall(r"demo: (\w+): left (-?\d+) tasks behind", m.text())
    return check(f"{name}: every demo joined its threads", not left, str(left))


# ---------------------------------------------------------------- demo-sched

TURN = re.compile(r"([A-C]) (\d+\.\d)")


def rr_turns(text):
    """[[(who, ms)] per part] from demo rr's 'turns:' lines."""
    return [[(w, float(ms)) for w, ms in TURN.findall(line)]
            for line in re.findall(r"rr:   turns: (.*) ms$", text, re.M)]


def run_demo_sched(m):
    name = m.spec.name
    m.expect(r"teachos# ")
    text = m.text()
    orders = re.findall(r"fifo:   order: (.*)$", text, re.M)
    checks = [check(f"{name}: fifo: run to completion, by priority, yield to the tail",
                    orders == ["A A A B B B C C C", "C C C B B B A A A",
                               "A B C A B C A B C"], str(orders))]
    out = m.command("demo rr")
    parts = rr_turns(out)
    # A stall of the host before a thread's first clock reading shortens the turn it sees.
    ok = len(parts) == 2 and [w for w, _ in parts[0]] == list("ABCABC") and \
        all(80 <= ms <= 150 for _, ms in parts[0][:3]) and \
        [w for w, _ in parts[1]] == list("CBA")
    checks.append(check(f"{name}: rr: equal priorities take 100 ms turns A B C A B C, "
                        "unequal run C B A", ok, str(parts)))
    out = m.command("demo cfs")
    shares = re.findall(r"cfs:   nice +(-?\d+): +\d+ ms = +(\d+\.\d+)%, weight +\d+/\d+ = "
                        r"+(\d+\.\d+)%", out)
    checks.append(check(f"{name}: cfs: shares within 5 points of the weights' (nice 0, 5, -5)",
                        len(shares) == 3 and all(abs(float(g) - float(w)) <= 5
                                                 for _, g, w in shares), str(shares)))
    checks.append(no_leftovers(name, m))
    return checks


# ---------------------------------------------------------------- demo-latency

LATENCY = re.compile(r"latency: +(\d+) threads: period \d+ us, slice \d+ us, ended by the tick "
                     r"after (\d+) ms\n.*longest wait between two runs, ms: ([\d. ]+)\n"
                     r".*worst (\d+) us; the others' slices: \(\d+ - 1\) x \d+ ms = (\d+) ms")


def run_demo_latency(m):
    """Under -icount each fair thread waits the others' slices, each rounded up to the tick
    that ends it; 0.5 ms is left for the switches themselves. With slices longer than a
    tick (4 threads) the queue turns like a carousel and that holds for every thread. With
    1-tick slices (12 threads) the tick's jitter reorders threads of nearly equal vruntime,
    so a thread may be passed over once or twice (sched/demo_fair.c): up to 2 slices more,
    and the worst must still reach the carousel's wait."""
    name = m.spec.name
    m.expect(r"teachos# ")
    parts = LATENCY.findall(m.text())

    def holds(slice_ms, waits, worst, bound):
        slack = 0.5 if int(slice_ms) > 1 else 2 * int(slice_ms) + 0.5
        return (all(float(w) <= float(bound) + slack for w in waits.split()) and
                int(bound) * 1000 - 500 <= int(worst) <= (int(bound) + slack) * 1000)
    ok = [int(n) for n, *_ in parts] == [4, 12] and all(holds(*p[1:]) for p in parts)
    return [check(f"{name}: 4 and 12 threads: each waits (n - 1) slices between runs, "
                  "to the tick (12: up to 2 more)", ok, str(parts)),
            no_leftovers(name, m)]


# ---------------------------------------------------------------- sched-trace

EVENT = re.compile(r"^(\d+) (\d+) (switch|wakeup|migrate) (.*)$")
MAP_LINE = re.compile(r"^  ([ *])(..) {2}\s*(\d+)\.(\d{6}) secs (?:(..) => (\S+):(\d+))?$")


def parse_dump(out):
    header = re.search(r"^# sched trace: cpus=(\d+) start_ns=(\d+) end_ns=(\d+) events=(\d+) "
                       r"lost=(\d+)$", out, re.M)
    events = []
    for line in out.splitlines():
        e = EVENT.match(line)
        if e:
            fields = dict(kv.split("=", 1) for kv in e.group(4).split())
            events.append((int(e.group(1)), int(e.group(2)), e.group(3), fields))
    return header, events


def map_checks(name, out, switches):
    """The map has one line per switch, perf's columns, and names each task once."""
    lines = [l for l in out.splitlines() if l.startswith("  ")]
    parsed = [MAP_LINE.match(l) for l in lines]
    checks = [check(f"{name}: map: one perf-style line per switch",
                    len(lines) == len(switches) and all(parsed),
                    f"{len(lines)} lines for {len(switches)} switches; first bad: "
                    f"{next((l for l, p in zip(lines, parsed) if not p), None)!r}")]
    if not checks[0][1] == "pass":
        return checks
    names, legend_ok, time_ok = {}, True, True
    for p, (ts, _, _, f) in zip(parsed, switches):
        star, short, secs, usecs, legend, comm, pid = p.groups()
        pid_next = int(f["next_pid"])
        time_ok &= star == "*" and int(secs) * 10**6 + int(usecs) == ts // 1000
        if pid_next not in names:
            expect = ". " if pid_next == 0 else \
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[len([n for n in names if n]) % 26] + \
                str(len([n for n in names if n]) // 26)
            names[pid_next] = expect
            legend_ok &= legend == expect and short == expect and int(pid) == pid_next \
                and comm == f["next_comm"]
        else:
            legend_ok &= legend is None and short == names[pid_next]
    checks.append(check(f"{name}: map: the CPU column shows the next task, '*', the time in "
                        "s with us", time_ok))
    checks.append(check(f"{name}: map: short names A0, B0 ... in order of appearance, each "
                        "with its 'A0 => comm:pid' legend once", legend_ok, str(names)))
    return checks


def running_time(events, start, end):
    """{comm: ns running} from the switches."""
    ran, since = {}, {}
    for ts, _, kind, f in events:
        if kind != "switch":
            continue
        prev, nxt = f["prev_comm"], f["next_comm"]
        if prev in since:
            ran[prev] = ran.get(prev, 0) + ts - since.pop(prev)
        since[nxt] = ts
    for comm, ts in since.items():
        ran[comm] = ran.get(comm, 0) + end - ts
    return ran


def rr_blocks_fair(name, events):
    """No switch to a fair task while an RR (or FIFO) task is runnable or running."""
    rt_up, bad = set(), []
    for ts, _, kind, f in events:
        if kind == "wakeup":
            if f["policy"] in ("FIFO", "RR"):
                rt_up.add(f["pid"])
            continue
        if kind != "switch":
            continue
        if f["prev_policy"] in ("FIFO", "RR") and f["prev_state"] != "R":
            rt_up.discard(f["prev_pid"])
        if f["next_policy"] not in ("FIFO", "RR") and rt_up:
            bad.append((ts, f["next_comm"], sorted(rt_up)))
    return check(f"{name}: no fair task runs while an rt task is runnable", not bad, str(bad[:3]))


def rule_checks(name, events, demo_out):
    checks = []
    switches = [e for e in events if e[2] == "switch"]
    checks.append(rr_blocks_fair(name, events))
    # The FIFO thread preempts at once: the switch right after its wakeup is to it.
    fifo_ok, n_fifo = True, 0
    for i, (ts, _, kind, f) in enumerate(events):
        if kind == "wakeup" and f["comm"] == "mix-fifo":
            n_fifo += 1
            nxt = next((e for e in events[i + 1:] if e[2] == "switch"), None)
            fifo_ok &= nxt is not None and nxt[3]["next_comm"] == "mix-fifo"
    checks.append(check(f"{name}: the FIFO thread runs at each of its wakeups, before anyone "
                        "else (its start and 23 timers)", fifo_ok and n_fifo == 24,
                        f"{n_fifo} wakeups"))
    # RR: the threads' CPU time from their timer on, FIFO interruptions left out, comes in
    # turns A B A B of 100, 100, 50 and 50 ms.
    woken = [e[0] for e in events if e[2] == "wakeup" and e[3]["comm"].startswith("mix-rr-")]
    turns, on = [], None
    for ts, _, _, f in (e for e in switches if e[0] >= woken[2]):
        if on is not None:
            who, since = on
            if turns and turns[-1][0] == who:
                turns[-1][1] += ts - since
            else:
                turns.append([who, ts - since])
            on = None
        if f["next_comm"].startswith("mix-rr-"):
            on = (f["next_comm"][-1], ts)
    got = [(w, round(ns / 1e6, 1)) for w, ns in turns]
    ok = [w for w, _ in got] == list("ABAB") and \
        all(abs(ms - want) <= 2 for (_, ms), want in zip(got, (100, 100, 50, 50)))
    checks.append(check(f"{name}: RR turns A 100, B 100, A 50, B 50 ms (within 2 ms)",
                        ok, str(got)))
    # Running time from the trace = CPU time the kernel charged, to the ns.
    printed = {c: int(ms) * 10**6 + int(frac) for c, ms, frac in
               re.findall(r"schedmix:   (\S+) +pid +\d+ .* ran +(\d+)\.(\d{6}) ms", demo_out)}
    ran = running_time(events, 0, 0)
    checks.append(check(f"{name}: each thread's running stretches add up to its CPU time",
                        len(printed) == 5 and all(ran.get(c) == ns for c, ns in printed.items()),
                        f"printed {printed}, trace { {c: ran.get(c) for c in printed} }"))
    fair = {c: printed.get(c, 0) for c in ("mix-nice0", "mix-nice5")}
    share = fair["mix-nice0"] / max(sum(fair.values()), 1)
    checks.append(check(f"{name}: nice 0 got about 3/4 of the fair time (75.35%)",
                        0.65 <= share <= 0.85, f"{share:.3f}"))
    return checks


def svg_checks(name, dump, events):
    p = subprocess.run([os.path.join(ROOT, "scripts", "sched-svg")], input=dump, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode:
        return [check(f"{name}: sched-svg draws the dump", False, p.stderr)]
    svg = p.stdout
    pids = {f[k] for _, _, kind, f in events
            for k in (("prev_pid", "next_pid") if kind == "switch" else ("pid",))}
    lanes = re.findall(r'<g class="lane" data-pid="(\d+)"', svg)
    running = len(re.findall(r'<rect class="running"', svg))
    switches = sum(1 for e in events if e[2] == "switch")
    fifo = re.search(r'<g class="lane" data-pid="\d+" data-comm="mix-fifo">(.*?)</g>', svg, re.S)
    fifo_runs = [(int(b) - int(a)) / 1e6 for a, b in re.findall(
        r'class="running" [^>]*data-start-ns="(\d+)" data-end-ns="(\d+)"', fifo.group(1))] \
        if fifo else []
    return [
        check(f"{name}: sched-svg: one lane per task", sorted(lanes) == sorted(pids),
              f"{len(lanes)} lanes for {len(pids)} tasks"),
        check(f"{name}: sched-svg: one running stretch per switch, plus the one running at "
              "the start", running == switches + 1, f"{running} for {switches} switches"),
        check(f"{name}: sched-svg: the FIFO lane runs 24 times, 23 of them its 2 ms",
              len(fifo_runs) == 24 and sum(2 <= ms <= 2.1 for ms in fifo_runs) == 23,
              str([round(ms, 3) for ms in fifo_runs])),
    ]


def run_sched_trace(m):
    name = m.spec.name
    m.expect(r"teachos# ")
    out = m.command("sched record")
    checks = [check(f"{name}: sched record starts", "sched: recording" in out, repr(out))]
    demo_out = m.command("demo schedmix")
    out = m.command("sched stop")
    checks.append(check(f"{name}: sched stop reports the events",
                        re.search(r"holds \d+ events over [\d.]+ s \(0 lost\)", out)
                        is not None, repr(out)))
    map_out = m.command("sched map")
    dump = m.command("sched dump")
    header, events = parse_dump(dump)
    checks.append(check(f"{name}: the dump has as many events as its header says",
                        header is not None and int(header.group(4)) == len(events) > 0,
                        f"header {header and header.group(0)!r}, {len(events)} events"))
    if not events:
        return checks
    switches = [e for e in events if e[2] == "switch"]
    checks += map_checks(name, map_out, switches)
    checks += rule_checks(name, events, demo_out)
    checks += svg_checks(name, dump, events)
    checks.append(no_leftovers(name, m))
    return checks
