/*
 * ACPI at boot: find the RSDP, let the core (drivers/acpi/tables.c) walk the tables, log what
 * it found as Linux does, and answer the `acpi` shell command.
 *
 * Finding the RSDP: GRUB copies it into the multiboot2 information (kernel/multiboot2.c
 * checks it and keeps it in boot_info.rsdp); that is the only way under UEFI, where the RSDP
 * is wherever the firmware's configuration table says. Without the tag we search where a
 * BIOS puts it (ACPI 6.5, 5.2.5.1): the first KiB of the EBDA (its segment is the 16-bit word
 * at 0x40e) and the BIOS area 0xe0000-0xfffff, on 16-byte boundaries, for "RSD PTR " with a
 * good checksum.
 *
 * Mapping: acpi_init() runs before mm_init, while boot/'s early page tables still map the
 * first 4 GiB at PAGE_OFFSET. ACPI tables live in reserved or "ACPI" memory, which the later
 * direct map (usable RAM only) leaves out, and ioremap cannot help this early: it refuses
 * with interrupts off, and the whole boot runs with them off until time_init. So the core
 * reads the tables through the early map, copies every fact into struct acpi_info, and no
 * pointer into a table survives mm_init. A table above 4 GiB is reported and skipped (no
 * firmware we know puts them there). acpi=off on the command line skips all of it.
 * docs/acpi.md walks through it.
 */
#define pr_fmt(fmt) "ACPI: " fmt

#include <asm/layout.h>
#include <drivers/acpi.h>
#include <kernel/bootinfo.h>
#include <kernel/console.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>

#include "internal.h"

struct acpi_info acpi;
static bool acpi_off;
static bool rsdp_from_tag;

KERNEL_PARAM_FLAG("acpi", acpi_off, "off", "off");

/* The core's view of physical memory: boot/'s early direct map of the first 4 GiB. */
static const void *early_map(uint64_t phys, size_t len, void *ctx)
{
	(void)ctx;
	if (phys >= EARLY_DIRECT_MAP_SIZE || len > EARLY_DIRECT_MAP_SIZE - phys)
		return NULL;
	return __va(phys);
}

/* A plausible RSDP at @p: the signature and the checksum of the first 20 bytes. */
static bool rsdp_at(const uint8_t *p)
{
	return memcmp(p, "RSD PTR ", 8) == 0 && acpi_checksum(p, 20) == 0;
}

uint64_t acpi_scan_rsdp(const void *mem, uint64_t phys, uint64_t len)
{
	const uint8_t *p = mem;

	for (uint64_t off = 0; off + 36 <= len; off += 16)
		if (rsdp_at(p + off))
			return phys + off;
	return 0;
}

/* The BIOS places: the first KiB of the EBDA, then 0xe0000-0xfffff. 0 if neither has one. */
static uint64_t scan_for_rsdp(void)
{
	uint64_t ebda = (uint64_t)get16(__va(0x40e), 0) << 4, found = 0;

	if (ebda >= 0x80000 && ebda < 0xa0000)	/* else the BDA word is not an EBDA address */
		found = acpi_scan_rsdp(__va(ebda), ebda, 1024);
	return found ? found : acpi_scan_rsdp(__va(0xe0000), 0xe0000, 0x20000);
}

/* ---- the report, for the boot log and the shell alike ---- */

typedef void (*emit_fn)(const char *line);

static void emit_log(const char *line)
{
	pr_info("%s\n", line);
}

static void emit_console(const char *line)
{
	console_printf("ACPI: %s\n", line);
}

static const char *flags_name(uint16_t flags)
{
	static const char *const trig[] = { "", "edge", "?", "level" };
	static const char *const pol[] = { "", "high", "?", "low" };
	static char buf[24];

	if (!flags)
		return "";
	snprintf(buf, sizeof(buf), " (%s%s%s)", trig[(flags >> 2) & 3],
		 (flags & 0xc) && (flags & 3) ? ", " : "", pol[flags & 3]);
	return buf;
}

static void report_tables(emit_fn emit)
{
	char line[160];

	if (rsdp_from_tag)
		snprintf(line, sizeof(line), "RSDP (multiboot2 tag copy) %06X (v%02u %-6s)",
			 acpi.rsdp_length, acpi.revision, acpi.oem_id);
	else
		snprintf(line, sizeof(line), "RSDP 0x%016llX %06X (v%02u %-6s)",
			 (unsigned long long)acpi.rsdp_phys, acpi.rsdp_length, acpi.revision,
			 acpi.oem_id);
	emit(line);
	for (unsigned int i = 0; i < acpi.nr_tables; i++) {
		const struct acpi_table_desc *d = &acpi.tables[i];

		snprintf(line, sizeof(line), "%-4s 0x%016llX %06X (v%02u %-6s %-8s %08X %-4s %08X)%s",
			 d->signature, (unsigned long long)d->phys, d->length, d->revision,
			 d->oem_id, d->oem_table_id, d->oem_revision, d->creator_id,
			 d->creator_revision, d->valid ? "" : " BAD, skipped");
		emit(line);
	}
}

static void report_madt(emit_fn emit)
{
	const struct acpi_madt *m = &acpi.madt;
	unsigned int enabled = 0, n;
	char line[200];

	if (!m->present)
		return emit("no MADT: no local APIC or IOAPIC information");
	for (unsigned int i = 0; i < m->nr_cpus; i++)
		enabled += m->cpus[i].enabled;
	n = snprintf(line, sizeof(line), "MADT: %u CPU%s (%u enabled), local APIC at 0x%llx%s",
		     m->nr_cpus, m->nr_cpus == 1 ? "" : "s", enabled,
		     (unsigned long long)m->lapic_addr,
		     m->pcat_compat ? ", 8259 PICs present" : "");
	emit(line);
	for (unsigned int i = 0; i < m->nr_cpus; i++) {
		snprintf(line, sizeof(line), "  CPU %u: APIC ID %u, ACPI UID %u%s", i,
			 m->cpus[i].apic_id, m->cpus[i].acpi_uid,
			 m->cpus[i].enabled ? "" : m->cpus[i].online_capable ?
			 " (online capable, not started)" : " (disabled)");
		emit(line);
	}
	for (unsigned int i = 0; i < m->nr_ioapics; i++) {
		snprintf(line, sizeof(line), "  IOAPIC %u at 0x%llx, GSI base %u", m->ioapics[i].id,
			 (unsigned long long)m->ioapics[i].addr, m->ioapics[i].gsi_base);
		emit(line);
	}
	n = snprintf(line, sizeof(line), "  %u override%s:", m->nr_overrides,
		     m->nr_overrides == 1 ? "" : "s");
	for (unsigned int i = 0; i < m->nr_overrides && n < sizeof(line); i++) {
		const struct acpi_madt_override *o = &m->overrides[i];

		n += snprintf(line + n, sizeof(line) - n, " IRQ%u->GSI%u%s", o->source, o->gsi,
			      flags_name(o->flags));
	}
	emit(line);
	for (unsigned int i = 0; i < m->nr_nmis; i++) {
		const struct acpi_madt_nmi *x = &m->nmis[i];

		bool all = x->acpi_uid == 0xff || x->acpi_uid == 0xffffffff;

		if (x->is_lapic)
			snprintf(line, sizeof(line), "  NMI: LINT%u of %s%u%s", x->lint,
				 all ? "every CPU, UID " : "CPU UID ", x->acpi_uid,
				 flags_name(x->flags));
		else
			snprintf(line, sizeof(line), "  NMI: GSI%u%s", x->gsi,
				 flags_name(x->flags));
		emit(line);
	}
	if (m->nr_skipped) {
		snprintf(line, sizeof(line), "  %u entr%s of other types or bad length skipped",
			 m->nr_skipped, m->nr_skipped == 1 ? "y" : "ies");
		emit(line);
	}
}

static void report_fadt(emit_fn emit)
{
	const struct acpi_fadt *f = &acpi.fadt;
	char line[200];
	int n;

	if (!f->present)
		return emit("no FADT: no power management or reset register information");
	snprintf(line, sizeof(line),
		 "FADT: revision %u, %u bytes, flags 0x%08x, SCI IRQ %u, SMI_CMD 0x%x (ACPI_ENABLE 0x%02x)",
		 f->revision, f->length, f->flags, f->sci_irq, f->smi_cmd, f->acpi_enable);
	emit(line);
	snprintf(line, sizeof(line),
		 "  PM1a_CNT 0x%x, PM1b_CNT 0x%x, DSDT 0x%llx, IAPC_BOOT_ARCH 0x%04x%s%s%s",
		 f->pm1a_cnt, f->pm1b_cnt, (unsigned long long)f->dsdt, f->iapc_boot_arch,
		 f->iapc_boot_arch & ACPI_BOOT_LEGACY_DEVICES ? " legacy-devices" : "",
		 f->iapc_boot_arch & ACPI_BOOT_8042 ? " 8042" : "",
		 f->flags & ACPI_FADT_HW_REDUCED ? ", hardware-reduced" : "");
	emit(line);
	if (f->has_reset_reg) {
		static const char *const space[] = { "memory", "I/O", "PCI config" };

		n = snprintf(line, sizeof(line), "  reset register 0x%llx (%s) <- 0x%02x",
			     (unsigned long long)f->reset_reg.address, space[f->reset_reg.space_id],
			     f->reset_value);
	} else {
		n = snprintf(line, sizeof(line), "  no reset register");
	}
	if (acpi.s5.found)
		snprintf(line + n, sizeof(line) - n, "; \\_S5: SLP_TYPa %u, SLP_TYPb %u",
			 acpi.s5.slp_typa, acpi.s5.slp_typb);
	else
		snprintf(line + n, sizeof(line) - n, "; no \\_S5 found in the DSDT");
	emit(line);
}

static void report_others(emit_fn emit)
{
	char line[160];

	if (acpi.hpet.present)
		snprintf(line, sizeof(line), "HPET: number %u at 0x%llx, minimum tick %u",
			 acpi.hpet.number, (unsigned long long)acpi.hpet.addr, acpi.hpet.min_tick);
	else
		snprintf(line, sizeof(line), "no HPET table");
	emit(line);
	for (unsigned int i = 0; i < acpi.nr_mcfg; i++) {
		snprintf(line, sizeof(line), "MCFG: ECAM at 0x%llx, segment %u, buses %u-%u",
			 (unsigned long long)acpi.mcfg[i].base, acpi.mcfg[i].segment,
			 acpi.mcfg[i].bus_start, acpi.mcfg[i].bus_end);
		emit(line);
	}
}

static void report(emit_fn emit)
{
	report_tables(emit);
	report_madt(emit);
	report_fadt(emit);
	report_others(emit);
	if (acpi.nr_bad) {
		char line[80];

		snprintf(line, sizeof(line), "%u table%s reported above and skipped", acpi.nr_bad,
			 acpi.nr_bad == 1 ? " was" : "s were");
		emit(line);
	}
}

void acpi_init(void)
{
	const void *rsdp;
	size_t len;
	uint64_t phys = 0;

	if (acpi_off) {
		pr_info("disabled (acpi=off)\n");
		return;
	}
	if (boot_info.has_rsdp) {
		rsdp = boot_info.rsdp;
		len = boot_info.rsdp_len;
		rsdp_from_tag = true;
	} else {
		phys = scan_for_rsdp();
		if (!phys) {
			pr_warn("no RSDP (no multiboot2 tag, none in the EBDA or 0xe0000-0xfffff): no ACPI\n");
			return;
		}
		rsdp = __va(phys);
		len = 36;
	}
	if (acpi_parse_rsdp(rsdp, len, phys, early_map, NULL, &acpi))
		return;
	report(emit_log);
}

uint32_t acpi_isa_irq_to_gsi(unsigned int irq, uint16_t *flags)
{
	return acpi_madt_isa_irq_to_gsi(acpi.madt.present ? &acpi.madt : NULL, irq, flags);
}

static int cmd_acpi(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return -EINVAL;
	if (!acpi.present) {
		console_printf("ACPI: not in use (%s)\n", acpi_off ? "acpi=off" : "no usable RSDP");
		return 0;
	}
	report(emit_console);
	return 0;
}
SHELL_COMMAND(acpi, cmd_acpi, "acpi", "the ACPI tables and what the MADT, FADT, HPET, MCFG say");
