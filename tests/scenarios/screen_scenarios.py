"""Scenarios of the screen console (imported by scenarios.py); screen.py reads the screen.

screen-bios, screen-uefi: the framebuffer console. The decoded screen shows the banner,
    the boot log line for line as the serial port got it (the screen is a second copy of
    the same console output; UEFI's longer memory map has scrolled it already), the prompt
    with the cursor after it, and a command typed on the serial port with its answer;
    warnings are drawn yellow and info lines grey. The
    BIOS boot then runs `dmesg` until the screen has scrolled: the screen must then be
    exactly the last rows of the console output, the banner gone from the top. The screen
    after the boot is kept as build/<name>.png.
screen-noserial: no UART at all (-serial none), loglevel=5 so warnings stay on the screen:
    the screen alone shows that the boot reached the prompt, that the kernel saw no
    serial port, and that a command typed on the keyboard runs.
screen-vgatext: `nofb` keeps GRUB and the kernel in VGA text mode: QEMU then draws the
    text with the VGA BIOS's font, close to console-setup's Lat15-VGA16, in 9-pixel cells;
    the rows with pixels are the rows with text, and the decoded screen is the output's
    last 25 rows, give or take the few glyphs the two fonts draw differently.
"""
import os
import re
import time

import screen

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BANNER = "Linux-style teaching kernel teachos"
VGA_FONT = "/usr/share/consolefonts/Lat15-VGA16.psf.gz"
YELLOW, GREY = (0xff, 0xff, 0x55), (0xaa, 0xaa, 0xaa)


def check(name, ok, detail=""):
    return (name, "pass" if ok else "fail", "" if ok else detail)


def dump(m, tag=""):
    path = os.path.join(os.path.dirname(m.log_path), f"{m.spec.name}{tag}.ppm")
    return screen.settled_screendump(m, path)


def console_rows(text, cols):
    """The console output as screen rows: from the banner on, each line cut into rows of
    @cols characters (a line of exactly @cols makes one row: the wrap waits for the next
    character), trailing spaces dropped as read_text drops them."""
    start = text.find("[", text.find(BANNER) - 20)
    rows = []
    for line in text[start:].split("\n"):
        parts = [line[i:i + cols] for i in range(0, len(line), cols)] or [""]
        rows += [p.rstrip() for p in parts]
    return rows


def colours_of_row(img, row, cell_h=16):
    """The set of non-black colours in pixel row band @row."""
    w, seen = img.width, set()
    for y in range(row * cell_h, (row + 1) * cell_h):
        line = img.rgb[3 * y * w:3 * (y + 1) * w]
        for x in range(0, len(line), 3):
            px = tuple(line[x:x + 3])
            if px != (0, 0, 0):
                seen.add(px)
    return seen


def cursor_under(img, col, row, cw=8, ch=16):
    """Is the underline cursor in cell (@col, @row): its two bottom pixel rows fully lit?"""
    lit = img.lit()
    return all(lit[(row * ch + y) * img.width + col * cw + x]
               for y in (ch - 2, ch - 1) for x in range(cw))


def last_nonempty(lines):
    idx = max((i for i, l in enumerate(lines) if l.strip()), default=-1)
    return idx, (lines[idx] if idx >= 0 else "")


def run_screen(m):
    name = m.spec.name
    checks = []
    m.expect(r"teachos# ")
    img = dump(m)
    lines = screen.read_text(img)
    cols = img.width // 8
    fb = re.search(r"fbcon: (\d+)x(\d+)x(\d+) at \S+ \((\S+)\), (\d+)x(\d+) cells", m.text())
    checks.append(check(f"{name}: the kernel drew on a framebuffer", bool(fb), "no fbcon line"))
    if fb:
        checks.append(check(f"{name}: the screendump has the framebuffer's size",
                            (img.width, img.height) == (int(fb.group(1)), int(fb.group(2))),
                            f"{img.width}x{img.height}"))
    # The screen is a second copy of the console output: its rows down to the cursor's are
    # the output's last rows (all of it, from the banner on, if it has not scrolled yet).
    want = console_rows(m.text(), cols)
    idx, last = last_nonempty(lines)
    got = lines[:idx + 1]
    full = len(want) >= len(lines)
    checks.append(check(f"{name}: the banner is the first line, or scrolled off a full screen",
                        BANNER in lines[0] if not full else BANNER not in "".join(lines),
                        repr(lines[:2])))
    checks.append(check(f"{name}: the screen shows the boot log as the serial port got it",
                        got == want[-len(got):] and last == "teachos#",
                        next((f"row {i}: screen {a!r}, serial {b!r}"
                              for i, (a, b) in enumerate(zip(got, want[-len(got):])) if a != b),
                             f"{len(got)} rows, last {last!r}")))
    checks.append(check(f"{name}: the cursor sits after the prompt",
                        cursor_under(img, len("teachos# "), idx),
                        f"no underline at row {idx}, column 9"))
    # Colours: a warning yellow (the unknown parameter, if still on screen), info grey.
    warn = next((i for i, l in enumerate(lines) if "Unknown kernel command line" in l), None)
    info = next((i for i, l in enumerate(lines) if "fbcon: " in l), None)
    checks.append(check(f"{name}: info lines grey", info is not None and
                        colours_of_row(img, info) == {GREY},
                        f"row {info}: {colours_of_row(img, info) if info is not None else ''}"))
    if warn is not None or not full:
        checks.append(check(f"{name}: warnings yellow", warn is not None and
                            colours_of_row(img, warn) == {YELLOW},
                            f"row {warn}: "
                            f"{colours_of_row(img, warn) if warn is not None else ''}"))
    # A command typed on the serial port, and its answer, on the screen.
    m.command("echo hello-screen")
    lines = screen.read_text(dump(m, "-echo"))
    idx, last = last_nonempty(lines)
    checks.append(check(f"{name}: a command and its output appear on the screen",
                        lines[idx - 2:idx + 1] == ["teachos# echo hello-screen", "hello-screen",
                                                   "teachos#"],
                        repr(lines[max(0, idx - 2):idx + 1])))
    if m.spec.firmware == "bios":
        checks += scroll_checks(m, cols)
    png = os.path.join(ROOT, "build", f"{name}.png")	# the boot screen, in colour
    os.makedirs(os.path.dirname(png), exist_ok=True)
    screen.write_png(png, img)
    checks.append(check(f"{name}: screen saved as {os.path.relpath(png, ROOT)}",
                        os.path.getsize(png) > 1000))
    return checks


def scroll_checks(m, cols):
    """`dmesg` twice: more lines than the screen has rows, so it scrolls."""
    name = m.spec.name
    m.command("dmesg")
    m.command("dmesg")
    img = dump(m, "-scrolled")
    lines = screen.read_text(img)
    rows = len(lines)
    want = console_rows(m.text(), cols)
    # The output ends with the prompt: the cursor's row is the screen's last.
    want = want[-rows:]
    return [
        check(f"{name}: after scrolling the screen is the last {rows} rows of the output",
              lines == want,
              next((f"row {i}: screen {a!r}, expected {b!r}"
                    for i, (a, b) in enumerate(zip(lines, want)) if a != b), "")),
        check(f"{name}: the banner scrolled off the top", BANNER not in lines[0],
              repr(lines[0])),
    ]


def wait_for_screen(m, pattern, timeout=60):
    """Take screendumps until a decoded line matches @pattern; returns the lines."""
    end = time.monotonic() + timeout
    rx = re.compile(pattern)
    while True:
        try:
            lines = screen.read_text(dump(m))
        except (OSError, RuntimeError, ValueError):
            lines = []
        if any(rx.search(l) for l in lines) or time.monotonic() > end:
            return lines
        time.sleep(1)


def run_screen_noserial(m):
    name = m.spec.name
    lines = wait_for_screen(m, r"^teachos#")
    text = "\n".join(lines)
    checks = [
        check(f"{name}: the screen shows the prompt", bool(lines) and
              last_nonempty(lines)[1] == "teachos#", repr(lines[-3:])),
        check(f"{name}: the kernel found no UART", "serial: no 16550 UART" in text,
              text[:300]),
    ]
    screen.type_keys(m, "echo hello-kbd\n")
    lines = wait_for_screen(m, r"^hello-kbd$")
    checks.append(check(f"{name}: a command typed on the keyboard runs, on the screen",
                        "teachos# echo hello-kbd" in lines and "hello-kbd" in lines,
                        repr(lines[-4:])))
    return checks


def run_screen_vgatext(m):
    name = m.spec.name
    m.expect(r"teachos# ")
    img = dump(m)
    checks = [check(f"{name}: GRUB left VGA text mode (720x400 screen)",
                    (img.width, img.height) == (720, 400), f"{img.width}x{img.height}"),
              check(f"{name}: the kernel used the VGA text console",
                    "vgacon: 80x25 text at 0xb8000" in m.text(), "no vgacon line")]
    if (img.width, img.height) != (720, 400):
        return checks
    want = console_rows(m.text(), 80)[-25:]
    lit = screen.lit_rows(img)
    checks.append(check(f"{name}: text pixels exactly in the rows that hold text",
                        [n > 0 for n in lit] == [bool(r) for r in want], str(lit)))
    # QEMU draws with the VGA BIOS's font: console-setup's Lat15-VGA16 is the same design but
    # a few glyphs differ in a pixel or two (0, T, W), so allow a few characters to differ.
    lines = screen.read_text(img, VGA_FONT, cell_width=9)
    # The glyphs the two fonts draw differently decode as their nearest look-alike (0 as C,
    # T as I): count those as agreeing, so a screen full of zeros (PCI IDs) is no worse.
    alike = str.maketrans("0T", "CI")
    same = sum(a == b for g, w in zip(lines, want)
               for a, b in zip(g.ljust(80).translate(alike), w.ljust(80).translate(alike)))
    checks.append(check(f"{name}: the decoded screen is the last 25 rows of the output",
                        same >= 0.95 * 80 * 25 and lines[-1] == "teachos#",
                        f"{same} of 2000 characters agree; last row {lines[-1]!r}"))
    return checks
