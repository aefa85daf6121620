/*
 * ACPI on the machine we booted on (QEMU's pc or q35, any -smp): the tables the boot parsed
 * are there and valid, and what they say agrees with the hardware itself: the BSP's APIC ID
 * (CPUID) and local APIC base (IA32_APIC_BASE), the HPET's own capabilities register at the
 * address the HPET table gives, and QEMU's known wiring (IOAPIC at 0xfec00000 from GSI 0,
 * IRQ 0 on GSI 2, the SCI on IRQ 9, level). A second walk of the live tables through ioremap
 * must give the same result as the boot's walk through the early map, and the BIOS-area scan
 * must find the RSDP GRUB handed over (BIOS boots only).
 */
#include <asm/io.h>
#include <asm/x86.h>
#include <drivers/acpi.h>
#include <kernel/bootinfo.h>
#include <kernel/ktest.h>
#include <lib/string.h>

#define MSR_IA32_APIC_BASE	0x1b

static const struct acpi_table_desc *table(const char *sig)
{
	for (unsigned int i = 0; i < acpi.nr_tables; i++)
		if (strcmp(acpi.tables[i].signature, sig) == 0)
			return &acpi.tables[i];
	return NULL;
}

static void test_tables_found_and_valid(struct ktest *t)
{
	static const char *const want[] = { "FACP", "APIC", "HPET", "DSDT" };

	KTEST_ASSERT_TRUE(t, acpi.present);
	KTEST_EXPECT_STREQ(t, acpi.oem_id, "BOCHS ");
	for (unsigned int i = 0; i < ARRAY_SIZE(want); i++) {
		const struct acpi_table_desc *d = table(want[i]);

		if (!KTEST_EXPECT_TRUE(t, d != NULL))
			continue;
		KTEST_EXPECT_TRUE(t, d->valid);
	}
	for (unsigned int i = 0; i < acpi.nr_tables; i++)
		KTEST_EXPECT_TRUE(t, acpi.tables[i].valid);
	KTEST_EXPECT_EQ(t, acpi.nr_bad, 0);
	KTEST_EXPECT_STREQ(t, acpi.tables[0].signature, acpi.use_xsdt ? "XSDT" : "RSDT");
}

static void test_madt_agrees_with_the_cpu(struct ktest *t)
{
	const struct acpi_madt *m = &acpi.madt;
	uint32_t a, b, c, d;
	unsigned int enabled = 0;

	KTEST_ASSERT_TRUE(t, m->present);
	for (unsigned int i = 0; i < m->nr_cpus; i++)
		enabled += m->cpus[i].enabled;
	KTEST_EXPECT_TRUE(t, enabled >= 1);	/* how many: the smp suite checks them */
	cpuid(1, &a, &b, &c, &d);
	KTEST_EXPECT_EQ(t, m->cpus[0].apic_id, b >> 24);	/* QEMU lists the BSP first */
	KTEST_EXPECT_EQ(t, m->lapic_addr, 0xfee00000);
	KTEST_EXPECT_EQ(t, m->lapic_addr, rdmsr(MSR_IA32_APIC_BASE) & ~0xfffull);
	KTEST_EXPECT_TRUE(t, m->pcat_compat);
	KTEST_ASSERT_EQ(t, m->nr_ioapics, 1);
	KTEST_EXPECT_EQ(t, m->ioapics[0].addr, 0xfec00000);
	KTEST_EXPECT_EQ(t, m->ioapics[0].gsi_base, 0);
	KTEST_EXPECT_EQ(t, m->nr_skipped, 0);
}

static void test_isa_irq_routing(struct ktest *t)
{
	uint16_t flags;

	KTEST_EXPECT_EQ(t, acpi_isa_irq_to_gsi(0, &flags), 2);
	KTEST_EXPECT_EQ(t, flags, ACPI_TRIGGER_EDGE | ACPI_POLARITY_HIGH);
	KTEST_EXPECT_EQ(t, acpi_isa_irq_to_gsi(acpi.fadt.sci_irq, &flags), 9);
	KTEST_EXPECT_EQ(t, flags & ACPI_TRIGGER_MASK, ACPI_TRIGGER_LEVEL);
	KTEST_EXPECT_EQ(t, acpi_isa_irq_to_gsi(1, &flags), 1);	/* the keyboard: identity */
	KTEST_EXPECT_EQ(t, flags, ACPI_TRIGGER_EDGE | ACPI_POLARITY_HIGH);
	KTEST_EXPECT_EQ(t, acpi_isa_irq_to_gsi(4, NULL), 4);	/* the serial port */
}

/* The HPET's general capabilities register: vendor in 31:16, clock period (fs) in 63:32. */
static void test_hpet_is_at_its_address(struct ktest *t)
{
	volatile uint32_t *regs;
	uint32_t period;

	KTEST_ASSERT_TRUE(t, acpi.hpet.present);
	KTEST_EXPECT_EQ(t, acpi.hpet.addr, 0xfed00000);
	regs = ioremap(acpi.hpet.addr, 1024);
	KTEST_ASSERT_TRUE(t, regs != NULL);
	period = readl(regs + 1);
	KTEST_EXPECT_EQ(t, readl(regs) >> 16, 0x8086);		/* QEMU's HPET says Intel */
	KTEST_EXPECT_TRUE(t, period > 0 && period <= 100000000);	/* the spec's bound: 100 ns */
	ktest_diag(t, "HPET at 0x%llx: period %u fs", (unsigned long long)acpi.hpet.addr, period);
	iounmap(regs);
}

static void test_fadt_and_s5(struct ktest *t)
{
	const struct acpi_fadt *f = &acpi.fadt;

	KTEST_ASSERT_TRUE(t, f->present);
	KTEST_EXPECT_EQ(t, f->sci_irq, 9);
	KTEST_EXPECT_TRUE(t, f->pm1a_cnt != 0);
	KTEST_EXPECT_EQ(t, f->dsdt, table("DSDT")->phys);
	KTEST_EXPECT_TRUE(t, acpi.s5.found);
	KTEST_EXPECT_EQ(t, acpi.s5.slp_typa, 0);	/* PIIX4 and ICH9 in QEMU: S5 is 0 */
	if (f->revision >= 2) {				/* q35: ICH9's reset register */
		KTEST_EXPECT_TRUE(t, f->has_reset_reg);
		KTEST_EXPECT_EQ(t, f->reset_reg.address, 0xcf9);
		KTEST_EXPECT_TRUE(t, f->iapc_boot_arch & ACPI_BOOT_8042);
	}
}

/* ---- a second walk, through ioremap ---- */

static void *maps[2 * ACPI_MAX_TABLES + 4];
static unsigned int nr_maps;

static const void *ioremap_map(uint64_t phys, size_t len, void *ctx)
{
	void *p;

	(void)ctx;
	if (nr_maps >= ARRAY_SIZE(maps))
		return NULL;
	p = ioremap(phys, len);
	if (p)
		maps[nr_maps++] = p;
	return p;
}

static void test_second_walk_agrees(struct ktest *t)
{
	static struct acpi_info again;
	int ret;

	if (!boot_info.has_rsdp)
		KTEST_SKIP(t, "the RSDP was found by a scan, not handed over by GRUB");
	ret = acpi_parse_rsdp(boot_info.rsdp, boot_info.rsdp_len, acpi.rsdp_phys, ioremap_map,
			      NULL, &again);
	while (nr_maps)
		iounmap(maps[--nr_maps]);
	KTEST_ASSERT_EQ(t, ret, 0);
	KTEST_EXPECT_EQ(t, again.nr_tables, acpi.nr_tables);
	KTEST_EXPECT_TRUE(t, memcmp(&again.tables, &acpi.tables, sizeof(acpi.tables)) == 0);
	KTEST_EXPECT_TRUE(t, memcmp(&again.madt, &acpi.madt, sizeof(acpi.madt)) == 0);
	KTEST_EXPECT_TRUE(t, memcmp(&again.fadt, &acpi.fadt, sizeof(acpi.fadt)) == 0);
	KTEST_EXPECT_TRUE(t, memcmp(&again.hpet, &acpi.hpet, sizeof(acpi.hpet)) == 0);
	KTEST_EXPECT_TRUE(t, memcmp(&again.s5, &acpi.s5, sizeof(acpi.s5)) == 0);
}

static void test_bios_area_scan_finds_the_rsdp(struct ktest *t)
{
	const uint8_t *area;
	uint64_t found;

	if (!boot_info.has_rsdp)
		KTEST_SKIP(t, "no RSDP from GRUB to compare with");
	area = ioremap(0xe0000, 0x20000);
	KTEST_ASSERT_TRUE(t, area != NULL);
	found = acpi_scan_rsdp(area, 0xe0000, 0x20000);
	if (found)
		KTEST_EXPECT_TRUE(t, memcmp(area + (found - 0xe0000), boot_info.rsdp, 20) == 0);
	iounmap((void *)area);
	if (!found)
		KTEST_SKIP(t, "no RSDP in 0xe0000-0xfffff (UEFI firmware need not put one there)");
	ktest_diag(t, "RSDP found at 0x%llx by the scan", (unsigned long long)found);
}

static const struct ktest_case acpi_cases[] = {
	KTEST_CASE(test_tables_found_and_valid),
	KTEST_CASE(test_madt_agrees_with_the_cpu),
	KTEST_CASE(test_isa_irq_routing),
	KTEST_CASE(test_hpet_is_at_its_address),
	KTEST_CASE(test_fadt_and_s5),
	KTEST_CASE(test_second_walk_agrees),
	KTEST_CASE(test_bios_area_scan_finds_the_rsdp),
	{}
};
KTEST_SUITE(acpi, acpi_cases);
