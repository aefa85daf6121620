"""The boot matrix of the real-hardware issue (imported by scenarios.py).

Every combination of firmware (SeaBIOS, OVMF), machine type (pc = i440fx + PIIX, q35 =
ICH9), CPU model (qemu64: no x2APIC, SMEP, SMAP; max: everything TCG has) and serial port
(COM1 present, or `-serial none`: no UART at all, as on most laptops) boots to the shell.
In each, a command typed on the PS/2 keyboard (QEMU's monitor `sendkey`) must run, and
where there is a serial port, one typed there too. The screen is read back in every boot
(screen.py decodes the framebuffer console with the kernel's own font), so the boots
without a serial port are judged by the screen alone, as a student at a PC would.
"""
import os
import re
import time

import screen

PROMPT = "teachos# "


def check(name, ok, detail=""):
    return (name, "pass" if ok else "fail", "" if ok else detail)


def screen_lines(m):
    path = os.path.join(os.path.dirname(m.log_path), f"{m.spec.name}.ppm")
    return screen.read_text(screen.screendump(m, path))


def wait_screen(m, want, timeout=60):
    """Poll the screen until @want(lines) is true; returns (ok, the last lines read)."""
    end = min(m.deadline, time.monotonic() + timeout)
    lines = []
    while time.monotonic() < end:
        lines = screen_lines(m)
        if want(lines):
            return True, lines
        time.sleep(0.5)
    return False, lines


def answered(token):
    """The screen shows `echo TOKEN` on a prompt line and then TOKEN alone on the next."""
    def want(lines):
        return any(l.rstrip() == PROMPT + "echo " + token and lines[i + 1].rstrip() == token
                   for i, l in enumerate(lines[:-1]))
    return want


def at_prompt(lines):
    last = [l for l in lines if l.strip()]
    return bool(last) and last[-1].rstrip() == PROMPT.rstrip()


def run_matrix(m):
    name = m.spec.name
    checks = []
    if m.spec.serial:
        m.expect(re.escape(PROMPT))
    ok, lines = wait_screen(m, at_prompt)
    checks.append(check(f"{name}: the screen shows the shell prompt", ok, "\n".join(lines)))
    if not ok:
        return checks

    token = f"kbd-{name[len('matrix-'):]}"
    mark = len(m.log)
    screen.type_keys(m, f"echo {token}\n")
    if m.spec.serial:
        ok = bool(m.expect(rf"^{re.escape(token)}$", since=mark, timeout=30))
        checks.append(check(f"{name}: a command typed on the keyboard runs (serial log)", ok))
    ok, lines = wait_screen(m, answered(token))
    checks.append(check(f"{name}: a command typed on the keyboard runs (screen)", ok,
                        "\n".join(lines)))

    if m.spec.serial:
        token = f"serial-{name[len('matrix-'):]}"
        out = m.command(f"echo {token}")
        checks.append(check(f"{name}: a command typed on the serial port runs",
                            out.splitlines()[-1:] == [token], out))
        ok, lines = wait_screen(m, answered(token))
        checks.append(check(f"{name}: ... and the screen shows it too", ok, "\n".join(lines)))
    return checks


def matrix_boots(BootSpec):
    boots = []
    for firmware in ("bios", "uefi"):
        for machine in ("pc", "q35"):
            for cpu in ("qemu64", "max"):
                for serial in (True, False):
                    name = f"matrix-{firmware}-{machine}-{cpu}-{'serial' if serial else 'noserial'}"
                    boots.append(BootSpec(name, run_matrix, firmware=firmware, machine=machine,
                                          cpu=cpu, serial=serial, mem="256M", timeout=120))
    return boots
