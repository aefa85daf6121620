"""Scenarios of ACPI, power off and reboot (imported by scenarios.py).

acpi-{pc,q35}-{bios,uefi}: the `acpi` command on QEMU's i440fx and q35 machines, under SeaBIOS
    and OVMF, must show the facts QEMU builds into its tables: FACP, APIC and HPET (and on q35
    MCFG) all valid; one enabled CPU (-smp 1) with local APIC ID 0 at 0xfee00000; one IOAPIC
    at 0xfec00000 serving from GSI 0; ISA IRQ 0 overridden to GSI 2 (edge) and the SCI, IRQ 9,
    level-triggered; the HPET at 0xfed00000; on q35 the ECAM at 0xb0000000 for buses 0-255,
    and the ICH9's reset register 0xcf9. Then `poweroff` must make QEMU exit by itself within
    a few seconds, with status 0 (a shutdown, not the isa-debug-exit device).
reboot-{pc,q35}: booted without -no-reboot, `reboot` must restart the machine: the log shows the
    methods tried in order (q35: the ACPI reset register first; pc, whose revision 1 FADT has
    none: the keyboard controller), then a second banner and a working shell, which is then
    powered off.
acpi-off: acpi=off leaves ACPI alone; the command says so, and poweroff fails with a message
    and halts (QEMU stays up), since S5 needs the FADT.
"""
import re
import time

from machine import Timeout

BANNER = "Linux-style teaching kernel teachos"


def check(name, ok, detail=""):
    return (name, "pass" if ok else "fail", "" if ok else detail)


def table_lines(out):
    """{signature: (address, valid)} from the table list of the `acpi` command."""
    tables = {}
    for sig, addr, bad in re.findall(r"^ACPI: (\w{4}) 0x([0-9A-F]{16}) [0-9A-F]{6} \(.*\)( BAD)?",
                                     out, re.M):
        tables.setdefault(sig, (int(addr, 16), not bad))
    return tables


def acpi_checks(name, machine, out):
    checks = []
    tables = table_lines(out)
    want = ["FACP", "APIC", "HPET", "DSDT"] + (["MCFG"] if machine == "q35" else [])
    checks.append(check(f"{name}: FACP, APIC, HPET, DSDT{', MCFG' if machine == 'q35' else ''} "
                        "listed and valid", all(tables.get(s, (0, False))[1] for s in want),
                        repr(tables)))
    checks.append(check(f"{name}: every table valid", " BAD" not in out and
                        "reported above and skipped" not in out, out))
    checks.append(check(f"{name}: root table", ("XSDT" in tables) or ("RSDT" in tables),
                        repr(tables)))
    checks.append(check(f"{name}: one enabled CPU, local APIC at 0xfee00000",
                        re.search(r"MADT: 1 CPU \(1 enabled\), local APIC at 0xfee00000", out)
                        is not None and re.search(r"CPU 0: APIC ID 0,", out) is not None, out))
    ioapics = re.findall(r"IOAPIC (\d+) at (0x[0-9a-f]+), GSI base (\d+)", out)
    checks.append(check(f"{name}: one IOAPIC at 0xfec00000, GSI base 0",
                        len(ioapics) == 1 and ioapics[0][1:] == ("0xfec00000", "0"),
                        repr(ioapics)))
    ovr = re.search(r"(\d+) overrides?:(.*)", out)
    pairs = re.findall(r"IRQ(\d+)->GSI(\d+)( \([^)]*\))?", ovr.group(2)) if ovr else []
    checks.append(check(f"{name}: override IRQ0->GSI2 edge, IRQ9 (the SCI) level",
                        ("0", "2", "") in pairs and ("9", "9", " (level, high)") in pairs
                        and int(ovr.group(1)) == len(pairs), repr(pairs)))
    checks.append(check(f"{name}: HPET at 0xfed00000",
                        re.search(r"HPET: number 0 at 0xfed00000", out) is not None, out))
    fadt = re.search(r"SCI IRQ (\d+).*\n.*PM1a_CNT (0x[0-9a-f]+)", out)
    checks.append(check(f"{name}: FADT: SCI on IRQ 9, a PM1a control block",
                        fadt is not None and fadt.group(1) == "9" and int(fadt.group(2), 16) != 0,
                        out))
    checks.append(check(f"{name}: \\_S5 found in the DSDT: SLP_TYPa 0",
                        "\\_S5: SLP_TYPa 0," in out, out))
    if machine == "q35":
        checks.append(check(f"{name}: MCFG: ECAM at 0xb0000000, buses 0-255",
                            "MCFG: ECAM at 0xb0000000, segment 0, buses 0-255" in out, out))
        checks.append(check(f"{name}: reset register 0xcf9 (I/O)",
                            "reset register 0xcf9 (I/O) <- 0x0f" in out, out))
    else:
        checks.append(check(f"{name}: no MCFG on i440fx", "MCFG" not in out, out))
    return checks


def power_off_checks(name, m):
    start = time.monotonic()
    m.send("poweroff\r")
    try:
        status = m.wait_exit()
    except Timeout as e:
        return [check(f"{name}: poweroff ends QEMU", False, str(e))]
    took = time.monotonic() - start
    return [check(f"{name}: poweroff ends QEMU by itself (status 0) in {took:.1f} s",
                  status == 0 and took < 15,
                  f"status {status} after {took:.1f} s; log tail {m.text()[-300:]!r}"),
            check(f"{name}: poweroff logged the PM1a write",
                  re.search(r"power off: PM1a_CNT 0x[0-9a-f]+ <- SLP_TYP 0 \| SLP_EN", m.text())
                  is not None, m.text()[-500:])]


def run_acpi(m):
    name = m.spec.name
    m.expect(r"teachos# ")
    out = m.command("acpi")
    checks = acpi_checks(name, m.spec.machine, out)
    boot_log = "\n".join(m.kernel_lines())
    checks.append(check(f"{name}: the boot log lists the same tables",
                        table_lines(boot_log) == table_lines(out), boot_log))
    return checks + power_off_checks(name, m)


def run_reboot(m):
    name = m.spec.name
    m.expect(r"teachos# ")
    mark = len(m.log)
    m.send("reboot\r")
    try:
        _, end = m.expect(re.escape(BANNER), since=mark)
        m.expect(r"teachos# ", since=end)
    except Timeout:
        return [check(f"{name}: reboot restarts the machine", False, m.text(mark)[-800:])]
    after = m.text(mark)
    tried = re.findall(r"reboot: trying (the ACPI reset register|the keyboard controller|"
                       r"the PCI reset control register|a triple fault)", after)
    ways = {"kbd": "the keyboard controller", "pci": "the PCI reset control register",
            "triple": "a triple fault"}
    chosen = re.search(r"\breboot=(\w+)", m.spec.cmdline or "")
    if chosen:
        first = ways[chosen.group(1)]
    else:
        first = "the ACPI reset register" if m.spec.machine == "q35" else "the keyboard controller"
    checks = [check(f"{name}: reboot restarts the machine (a second banner)",
                    m.text().count(BANNER) == 2, f"{m.text().count(BANNER)} banners"),
              check(f"{name}: {first} tried first, and it worked", tried == [first], repr(tried))]
    out = m.command("echo again")
    checks.append(check(f"{name}: the restarted kernel's shell answers",
                        out.strip().endswith("again"), repr(out)))
    return checks + power_off_checks(name, m)


def run_acpi_off(m):
    name = m.spec.name
    m.expect(r"teachos# ")
    out = m.command("acpi")
    checks = [check(f"{name}: acpi=off: the command says ACPI is not in use",
                    "ACPI: not in use (acpi=off)" in out, repr(out)),
              check(f"{name}: acpi=off: no tables read",
                    not any(l.startswith("ACPI: RSDP") for l in m.kernel_lines()))]
    mark = len(m.log)
    m.send("poweroff\r")
    try:
        m.expect(r"System halted\.", since=mark, timeout=15)
        halted = True
    except Timeout:
        halted = False
    checks.append(check(f"{name}: poweroff without ACPI says why and halts",
                        halted and "power off: no FADT" in m.text(mark) and
                        m.returncode is None, m.text(mark)[-400:]))
    return checks
