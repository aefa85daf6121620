/*
 * Host tests of the ACPI core (drivers/acpi/tables.c, madt.c, fadt.c). Each test lays out
 * a small machine's tables in a fake physical memory (an RSDP, XSDT and RSDT, a FADT, a MADT,
 * an HPET, an MCFG and a DSDT with a \_S5 package, the way QEMU's q35 gives them), breaks
 * what it wants to test, and parses. The fake map() copies every range it is asked for into
 * a fresh heap block of exactly that size, so AddressSanitizer catches any read past what
 * the parser asked to map. The randomized test prints its seed (replay with TEST_SEED=n,
 * TEST_ITERS=n sets the iterations) and checks that corrupted tables never crash the parser
 * nor make it report more entries than the table has room for.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <drivers/acpi.h>
#include <lib/errno.h>

#include "printk_stub.h"
#include "rng.h"

#define MEM_BASE	0x7fe0000ull	/* physical address of the fake memory's first byte */
#define MEM_SIZE	0x1400
#define XSDT_OFF	0x000
#define RSDT_OFF	0x080
#define FADT_OFF	0x100		/* 244 bytes: revision 3 */
#define MADT_OFF	0x200		/* up to 0x400 bytes */
#define HPET_OFF	0x600
#define MCFG_OFF	0x640
#define DSDT_OFF	0x700		/* up to the end */
#define PHYS(off)	(MEM_BASE + (off))

struct image {
	uint8_t mem[MEM_SIZE];
	uint8_t rsdp[36];
	size_t rsdp_len;
	uint32_t madt_len, dsdt_len;
};

static struct image im;
static struct acpi_info info;

/* ---- the fake physical memory ---- */

static void *maps[1024];
static unsigned int nr_maps;

static const void *fake_map(uint64_t phys, size_t len, void *ctx)
{
	struct image *m = ctx;
	void *p;

	if (phys < MEM_BASE || phys - MEM_BASE > MEM_SIZE || len > MEM_SIZE - (phys - MEM_BASE))
		return NULL;
	cr_assert_lt(nr_maps, 1024, "the parser mapped more than 1024 ranges");
	p = malloc(len ? len : 1);
	memcpy(p, m->mem + (phys - MEM_BASE), len);
	maps[nr_maps++] = p;
	return p;
}

static void free_maps(void)
{
	while (nr_maps)
		free(maps[--nr_maps]);
}

/* Parses the image with its RSDP in a heap block of exactly rsdp_len bytes. */
static int parse(void)
{
	uint8_t *r = malloc(im.rsdp_len);
	int ret;

	memcpy(r, im.rsdp, im.rsdp_len);
	ret = acpi_parse_rsdp(r, im.rsdp_len, 0xf5a20, fake_map, &im, &info);
	free(r);
	free_maps();
	return ret;
}

/* ---- building tables ---- */

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static uint8_t *at(uint32_t off)
{
	return im.mem + off;
}

static void header(uint32_t off, const char *sig, uint32_t len, uint8_t rev)
{
	uint8_t *t = at(off);

	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "BOCHS ", 6);
	memcpy(t + 16, "BXPC    ", 8);
	put32(t + 24, 1);
	memcpy(t + 28, "BXPC", 4);
	put32(t + 32, 1);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* Sets the checksum byte of the table at @off so that its (current) length sums to 0. */
static void fix(uint32_t off)
{
	uint8_t *t = at(off);
	uint32_t len = rd32(t + 4);

	if (len > MEM_SIZE - off)
		len = MEM_SIZE - off;
	if (len < 10)
		return;
	t[9] = 0;
	t[9] = (uint8_t)-sum(t, len);
}

static void fix_rsdp(void)
{
	im.rsdp[8] = 0;
	im.rsdp[8] = (uint8_t)-sum(im.rsdp, 20);
	im.rsdp[32] = 0;
	im.rsdp[32] = (uint8_t)-sum(im.rsdp, 36);
}

static void fix_all(void)
{
	static const uint32_t offs[] = { XSDT_OFF, RSDT_OFF, FADT_OFF, MADT_OFF, HPET_OFF, MCFG_OFF,
					 DSDT_OFF };

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		fix(offs[i]);
	fix_rsdp();
}

static void build_rsdp(uint8_t rev)
{
	memset(im.rsdp, 0, sizeof(im.rsdp));
	memcpy(im.rsdp, "RSD PTR ", 8);
	memcpy(im.rsdp + 9, "BOCHS ", 6);
	im.rsdp[15] = rev;
	put32(im.rsdp + 16, (uint32_t)PHYS(RSDT_OFF));
	put32(im.rsdp + 20, 36);
	put64(im.rsdp + 24, PHYS(XSDT_OFF));
	im.rsdp_len = rev >= 2 ? 36 : 20;
	fix_rsdp();
}

static const uint32_t listed[] = { FADT_OFF, MADT_OFF, HPET_OFF, MCFG_OFF };
#define NR_LISTED 4

static void build_roots(void)
{
	header(XSDT_OFF, "XSDT", 36 + 8 * NR_LISTED, 1);
	header(RSDT_OFF, "RSDT", 36 + 4 * NR_LISTED, 1);
	for (int i = 0; i < NR_LISTED; i++) {
		put64(at(XSDT_OFF + 36 + 8 * i), PHYS(listed[i]));
		put32(at(RSDT_OFF + 36 + 4 * i), (uint32_t)PHYS(listed[i]));
	}
}

static void gas(uint8_t *p, uint8_t space, uint8_t width, uint64_t addr)
{
	p[0] = space;
	p[1] = width;
	p[2] = 0;
	p[3] = 1;
	put64(p + 4, addr);
}

/* A revision 3 FADT as QEMU's q35 has it: PM1a at 0x604, reset register 0xcf9 <- 6. */
static void build_fadt(void)
{
	uint8_t *t = at(FADT_OFF);

	header(FADT_OFF, "FACP", 244, 3);
	put32(t + 40, (uint32_t)PHYS(DSDT_OFF));
	put16(t + 46, 9);		/* SCI_INT */
	put32(t + 48, 0xb2);		/* SMI_CMD */
	t[52] = 0x02;			/* ACPI_ENABLE */
	put32(t + 64, 0x604);		/* PM1a_CNT_BLK */
	put16(t + 109, ACPI_BOOT_8042);
	put32(t + 112, 0x84a5);		/* includes RESET_REG_SUP */
	gas(t + 116, ACPI_SPACE_IO, 8, 0xcf9);
	t[128] = 0x06;
	put64(t + 140, PHYS(DSDT_OFF));	/* X_DSDT */
	gas(t + 172, ACPI_SPACE_IO, 16, 0x604);	/* X_PM1a_CNT_BLK */
}

static uint8_t *madt_entry(uint8_t type, uint8_t len)
{
	uint8_t *e = at(MADT_OFF + im.madt_len);

	cr_assert_leq(im.madt_len + len, 0x400, "MADT builder overflow");
	memset(e, 0, len);
	e[0] = type;
	e[1] = len;
	im.madt_len += len;
	put32(at(MADT_OFF + 4), im.madt_len);
	return e;
}

static void madt_begin(void)
{
	im.madt_len = 44;
	memset(at(MADT_OFF), 0, 0x400);
	header(MADT_OFF, "APIC", 44, 1);
	put32(at(MADT_OFF + 36), 0xfee00000);
	put32(at(MADT_OFF + 40), 1);	/* PCAT_COMPAT */
}

static void madt_override(uint8_t irq, uint32_t gsi, uint16_t flags)
{
	uint8_t *e = madt_entry(2, 10);

	e[3] = irq;
	put32(e + 4, gsi);
	put16(e + 8, flags);
}

/* What QEMU gives with -smp 2: two CPUs, one IOAPIC, five overrides, LINT1 NMI. */
static void build_madt(void)
{
	uint8_t *e;

	madt_begin();
	for (int i = 0; i < 2; i++) {
		e = madt_entry(0, 8);
		e[2] = (uint8_t)i;
		e[3] = (uint8_t)i;
		put32(e + 4, 1);
	}
	e = madt_entry(1, 12);
	put32(e + 4, 0xfec00000);
	madt_override(0, 2, 0);
	madt_override(5, 5, 0xd);
	madt_override(9, 9, 0xd);
	madt_override(10, 10, 0xd);
	madt_override(11, 11, 0xd);
	e = madt_entry(4, 6);
	e[2] = 0xff;
	e[5] = 1;
}

static void build_hpet(void)
{
	header(HPET_OFF, "HPET", 56, 1);
	gas(at(HPET_OFF + 40), ACPI_SPACE_MEMORY, 64, 0xfed00000);
	put16(at(HPET_OFF + 53), 128);
}

static void build_mcfg(void)
{
	uint8_t *e = at(MCFG_OFF + 44);

	header(MCFG_OFF, "MCFG", 60, 1);
	put64(e, 0xb0000000);
	e[11] = 0xff;
}

/* A DSDT whose AML has a decoy "_S5_" (a reference, not a name) and then the real one. */
static const uint8_t s5_aml[] = {
	0x10, 0x05, 0x5c, 0x00, 0x00,				/* Scope (\) {...} (junk) */
	0x70, 0x5f, 0x53, 0x35, 0x5f, 0x60,			/* Store (_S5_, Local0) */
	0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x07, 0x04,		/* Name (_S5, Package (4) */
	0x0a, 0x05, 0x01, 0x00, 0x00,				/* { 5, One, Zero, Zero }) */
	0xa3, 0xa3, 0xa3,					/* Noop Noop Noop */
};

static void build_dsdt(const uint8_t *aml, size_t n)
{
	im.dsdt_len = (uint32_t)(36 + n);
	cr_assert_leq(DSDT_OFF + im.dsdt_len, MEM_SIZE);
	header(DSDT_OFF, "DSDT", im.dsdt_len, 1);
	memcpy(at(DSDT_OFF + 36), aml, n);
}

static void build_all(void)
{
	memset(&im, 0, sizeof(im));
	build_rsdp(2);
	build_roots();
	build_fadt();
	build_madt();
	build_hpet();
	build_mcfg();
	build_dsdt(s5_aml, sizeof(s5_aml));
	fix_all();
}

static void setup(void)
{
	build_all();
	printk_capture_reset();
}

static void teardown(void)
{
	free_maps();
}

TestSuite(acpi, .init = setup, .fini = teardown);

static const struct acpi_table_desc *find_in(const char *sig, bool valid_only)
{
	for (unsigned int i = 0; i < info.nr_tables; i++)
		if (!strcmp(info.tables[i].signature, sig) && (info.tables[i].valid || !valid_only))
			return &info.tables[i];
	return NULL;
}

static const struct acpi_table_desc *find(const char *sig)
{
	return find_in(sig, false);
}

static bool logged(const char *text)
{
	return strstr(printk_captured(), text) != NULL;
}

/* ---- a good machine ---- */

Test(acpi, q35_like_tables_parse)
{
	const char *order[] = { "XSDT", "FACP", "APIC", "HPET", "MCFG", "DSDT" };

	cr_assert_eq(parse(), 0);
	cr_assert(info.present && info.use_xsdt);
	cr_assert_eq(info.revision, 2);
	cr_assert_str_eq(info.oem_id, "BOCHS ");
	cr_assert_eq(info.rsdp_phys, 0xf5a20);
	cr_assert_eq(info.nr_tables, 6);
	cr_assert_eq(info.nr_bad, 0);
	for (unsigned int i = 0; i < 6; i++) {
		cr_assert_str_eq(info.tables[i].signature, order[i]);
		cr_assert(info.tables[i].valid, "%s not valid", order[i]);
		cr_assert_str_eq(info.tables[i].oem_table_id, "BXPC    ");
		cr_assert_str_eq(info.tables[i].creator_id, "BXPC");
	}
	cr_assert_eq(find("APIC")->phys, PHYS(MADT_OFF));
	cr_assert_eq(find("DSDT")->length, im.dsdt_len);
	cr_assert_eq(printk_count(4), 0, "warnings on good tables: %s", printk_captured());
}

Test(acpi, madt_facts)
{
	const struct acpi_madt *m = &info.madt;

	cr_assert_eq(parse(), 0);
	cr_assert(m->present && m->pcat_compat);
	cr_assert_eq(m->lapic_addr, 0xfee00000);
	cr_assert_eq(m->nr_cpus, 2);
	cr_assert(m->cpus[1].enabled);
	cr_assert_eq(m->cpus[1].apic_id, 1);
	cr_assert_eq(m->nr_ioapics, 1);
	cr_assert_eq(m->ioapics[0].addr, 0xfec00000);
	cr_assert_eq(m->ioapics[0].gsi_base, 0);
	cr_assert_eq(m->nr_overrides, 5);
	cr_assert_eq(m->overrides[0].source, 0);
	cr_assert_eq(m->overrides[0].gsi, 2);
	cr_assert_eq(m->overrides[2].flags, ACPI_TRIGGER_LEVEL | ACPI_POLARITY_HIGH);
	cr_assert_eq(m->nr_nmis, 1);
	cr_assert(m->nmis[0].is_lapic);
	cr_assert_eq(m->nmis[0].lint, 1);
	cr_assert_eq(m->nmis[0].acpi_uid, 0xff);
	cr_assert_eq(m->nr_skipped, 0);
}

Test(acpi, fadt_hpet_mcfg_s5_facts)
{
	const struct acpi_fadt *f = &info.fadt;

	cr_assert_eq(parse(), 0);
	cr_assert(f->present);
	cr_assert_eq(f->revision, 3);
	cr_assert_eq(f->sci_irq, 9);
	cr_assert_eq(f->smi_cmd, 0xb2);
	cr_assert_eq(f->acpi_enable, 2);
	cr_assert_eq(f->pm1a_cnt, 0x604);
	cr_assert_eq(f->pm1b_cnt, 0);
	cr_assert_eq(f->iapc_boot_arch, ACPI_BOOT_8042);
	cr_assert(f->has_reset_reg);
	cr_assert_eq(f->reset_reg.space_id, ACPI_SPACE_IO);
	cr_assert_eq(f->reset_reg.address, 0xcf9);
	cr_assert_eq(f->reset_value, 6);
	cr_assert_eq(f->dsdt, PHYS(DSDT_OFF));
	cr_assert(info.hpet.present);
	cr_assert_eq(info.hpet.addr, 0xfed00000);
	cr_assert_eq(info.hpet.min_tick, 128);
	cr_assert_eq(info.nr_mcfg, 1);
	cr_assert_eq(info.mcfg[0].base, 0xb0000000);
	cr_assert_eq(info.mcfg[0].bus_end, 255);
	cr_assert(info.s5.found);
	cr_assert_eq(info.s5.slp_typa, 5);	/* the decoy reference before it was passed over */
	cr_assert_eq(info.s5.slp_typb, 1);
}

Test(acpi, revision_0_rsdp_uses_the_rsdt)
{
	build_rsdp(0);
	put64(im.rsdp + 24, 0xdeadbeef);	/* beyond the 20 bytes: must not be read */
	cr_assert_eq(parse(), 0);
	cr_assert(!info.use_xsdt);
	cr_assert_str_eq(info.tables[0].signature, "RSDT");
	cr_assert_eq(info.nr_tables, 6);
	cr_assert_eq(info.nr_bad, 0);
	cr_assert_eq(info.madt.nr_cpus, 2);
}

Test(acpi, x_fields_win_over_32_bit_ones)
{
	put32(at(FADT_OFF + 40), 0x1234);		/* a stale 32-bit DSDT */
	put32(at(FADT_OFF + 64), 0x4004);		/* and PM1a_CNT */
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert_eq(info.fadt.dsdt, PHYS(DSDT_OFF));
	cr_assert_eq(info.fadt.pm1a_cnt, 0x604);
	cr_assert(find("DSDT")->valid);
}

Test(acpi, fadt_revision_1_has_no_boot_arch_nor_reset_register)
{
	header(FADT_OFF, "FACP", 116, 1);
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert(info.fadt.present);
	cr_assert_eq(info.fadt.iapc_boot_arch, 0);	/* the byte is set, but reserved in v1 */
	cr_assert(!info.fadt.has_reset_reg);
	cr_assert_eq(info.fadt.dsdt, PHYS(DSDT_OFF));	/* through the 32-bit field */
	cr_assert(info.s5.found);
}

Test(acpi, reset_register_needs_its_flag)
{
	put32(at(FADT_OFF + 112), 0x80a5);	/* RESET_REG_SUP clear */
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert(!info.fadt.has_reset_reg);
}

Test(acpi, isa_irq_to_gsi)
{
	uint16_t flags;

	cr_assert_eq(parse(), 0);
	cr_assert_eq(acpi_madt_isa_irq_to_gsi(&info.madt, 0, &flags), 2);
	cr_assert_eq(flags, ACPI_TRIGGER_EDGE | ACPI_POLARITY_HIGH);	/* "conforms" resolved */
	cr_assert_eq(acpi_madt_isa_irq_to_gsi(&info.madt, 9, &flags), 9);
	cr_assert_eq(flags, ACPI_TRIGGER_LEVEL | ACPI_POLARITY_HIGH);
	cr_assert_eq(acpi_madt_isa_irq_to_gsi(&info.madt, 4, &flags), 4);
	cr_assert_eq(flags, ACPI_TRIGGER_EDGE | ACPI_POLARITY_HIGH);
	cr_assert_eq(acpi_madt_isa_irq_to_gsi(NULL, 1, NULL), 1);
}

Test(acpi, x2apic_entries_address_override_and_unknown_types)
{
	uint8_t *e;

	e = madt_entry(9, 16);		/* local x2APIC: ID 300, UID 7, enabled */
	put32(e + 4, 300);
	put32(e + 8, 1);
	put32(e + 12, 7);
	e = madt_entry(0xa, 12);	/* local x2APIC NMI: UID 7, LINT0 */
	put32(e + 4, 7);
	e[8] = 0;
	e = madt_entry(3, 8);		/* NMI source on GSI 20, level low */
	put16(e + 2, 0xf);
	put32(e + 4, 20);
	e = madt_entry(5, 12);
	put64(e + 4, 0xfee00000ull + 0x100000000ull);
	madt_entry(0x7f, 9);		/* a type we do not know */
	e = madt_entry(0, 20);		/* longer than we know: fine; online capable only */
	put32(e + 4, 2);
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert_eq(info.madt.nr_cpus, 4);
	cr_assert_eq(info.madt.cpus[2].apic_id, 300);
	cr_assert_eq(info.madt.cpus[2].acpi_uid, 7);
	cr_assert(!info.madt.cpus[3].enabled);
	cr_assert(info.madt.cpus[3].online_capable);
	cr_assert(!info.madt.cpus[1].online_capable);
	cr_assert_eq(info.madt.nr_nmis, 3);
	cr_assert_eq(info.madt.nmis[1].acpi_uid, 7);
	cr_assert(!info.madt.nmis[2].is_lapic);
	cr_assert_eq(info.madt.nmis[2].gsi, 20);
	cr_assert_eq(info.madt.lapic_addr, 0x1fee00000ull);
	cr_assert_eq(info.madt.nr_skipped, 1);
}

/* ---- broken input ---- */

Test(acpi, bad_rsdp_checksum_is_einval)
{
	im.rsdp[8] ^= 1;
	cr_assert_eq(parse(), -EINVAL);
	cr_assert(!info.present);
	cr_assert_eq(info.nr_tables, 0);
	cr_assert(logged("RSDP at 0xf5a20 has a wrong checksum"));
}

Test(acpi, bad_rsdp_signature_and_short_rsdp_are_einval)
{
	im.rsdp[0] = 'X';
	cr_assert_eq(parse(), -EINVAL);
	build_rsdp(2);
	im.rsdp_len = 19;
	cr_assert_eq(parse(), -EINVAL);
}

Test(acpi, bad_extended_checksum_falls_back_to_the_rsdt)
{
	im.rsdp[32] ^= 0x55;
	cr_assert_eq(parse(), 0);
	cr_assert(!info.use_xsdt);
	cr_assert_str_eq(info.tables[0].signature, "RSDT");
	cr_assert(logged("extended part"));
	cr_assert_eq(info.madt.nr_cpus, 2);
}

Test(acpi, bad_xsdt_falls_back_to_the_rsdt)
{
	at(XSDT_OFF)[40] ^= 1;	/* breaks the checksum */
	cr_assert_eq(parse(), 0);
	cr_assert(!info.use_xsdt);
	cr_assert(!info.tables[0].valid);
	cr_assert_str_eq(info.tables[1].signature, "RSDT");
	cr_assert_eq(info.nr_bad, 1);
	cr_assert(info.madt.present && info.fadt.present);
	cr_assert(logged("falling back to the RSDT"));
}

Test(acpi, table_with_bad_checksum_is_reported_and_skipped)
{
	char want[128];

	at(MADT_OFF)[50] ^= 0x10;
	cr_assert_eq(parse(), 0);
	cr_assert(!find("APIC")->valid);
	cr_assert(!info.madt.present);
	cr_assert_eq(info.nr_bad, 1);
	cr_assert(info.fadt.present && info.hpet.present && info.nr_mcfg == 1 && info.s5.found);
	snprintf(want, sizeof(want), "APIC at 0x%llx: checksum is wrong",
		 (unsigned long long)PHYS(MADT_OFF));
	cr_assert(logged(want), "log: %s", printk_captured());
	cr_assert(logged("skipped"));
}

Test(acpi, length_shorter_than_header)
{
	put32(at(HPET_OFF + 4), 20);
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert(!find("HPET")->valid);
	cr_assert(!info.hpet.present);
	cr_assert(logged("shorter than its own 36-byte header"));
	cr_assert(info.madt.present);
}

Test(acpi, length_past_the_end_of_memory)
{
	put32(at(DSDT_OFF + 4), MEM_SIZE);	/* runs past the fake memory */
	cr_assert_eq(parse(), 0);
	cr_assert(!find("DSDT")->valid);
	cr_assert(!info.s5.found);
	cr_assert(logged("runs past mappable memory"));
	put32(at(DSDT_OFF + 4), 0xfffffff0);
	cr_assert_eq(parse(), 0);
	cr_assert(logged("is absurd"));
}

Test(acpi, hpet_too_short_for_its_fields)
{
	header(HPET_OFF, "HPET", 40, 1);
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert(find("HPET")->valid);
	cr_assert(!info.hpet.present);
}

Test(acpi, xsdt_entry_pointing_nowhere_and_null_entry)
{
	put64(at(XSDT_OFF + 36 + 8), 0xdead0000ull);	/* the MADT's entry */
	put64(at(XSDT_OFF + 36 + 16), 0);		/* the HPET's entry */
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert(!info.madt.present && !info.hpet.present);
	cr_assert(info.fadt.present && info.nr_mcfg == 1);
	cr_assert(logged("the table at 0xdead0000 cannot be mapped"));
	cr_assert(logged("entry 2 is a null address"));
	cr_assert_eq(info.nr_bad, 1);
}

Test(acpi, table_of_the_wrong_kind_where_the_dsdt_should_be)
{
	put64(at(FADT_OFF + 140), PHYS(HPET_OFF));
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert(!info.s5.found);
	cr_assert(logged("should be a DSDT"));
}

Test(acpi, madt_entry_of_length_zero_ends_the_walk)
{
	madt_entry(1, 12);
	uint8_t *e = madt_entry(0, 8);

	e[1] = 0;		/* length 0: an endless loop for a naive walk */
	madt_entry(0, 8);
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert(info.madt.present);
	cr_assert_eq(info.madt.nr_cpus, 2);
	cr_assert_eq(info.madt.nr_ioapics, 2);
	cr_assert_eq(info.madt.nr_skipped, 1);
	cr_assert(logged("cannot be walked"));
}

Test(acpi, madt_entry_running_past_the_table)
{
	uint8_t *e = madt_entry(1, 12);

	e[1] = 40;		/* 40 bytes, but only 12 are left */
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert_eq(info.madt.nr_ioapics, 1);
	cr_assert(logged("runs past the table"));
	/* A table that ends in the middle of an entry header: one lone byte. */
	build_all();
	madt_entry(0, 8);
	put32(at(MADT_OFF + 4), im.madt_len - 7);
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert_eq(info.madt.nr_cpus, 2);
}

Test(acpi, madt_entry_shorter_than_its_type)
{
	madt_entry(1, 6);
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert_eq(info.madt.nr_ioapics, 1);
	cr_assert_eq(info.madt.nr_skipped, 1);
	cr_assert(logged("below the 12 it needs"));
}

Test(acpi, too_many_cpus_are_counted_not_stored)
{
	madt_begin();
	for (int i = 0; i < ACPI_MAX_CPUS + 6; i++)
		madt_entry(0, 8)[3] = (uint8_t)i;
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert_eq(info.madt.nr_cpus, ACPI_MAX_CPUS);
	cr_assert_eq(info.madt.nr_skipped, 6);
	cr_assert_eq(info.madt.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
}

Test(acpi, s5_forms)
{
	/* \_S5 with the root prefix, ZeroOp for SLP_TYPa, a 2-byte PkgLength (0x46 0x00: 6). */
	static const uint8_t rooted[] = { 0x08, 0x5c, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x46, 0x00,
					  0x02, 0x00, 0x0a, 0x03 };
	/* The package runs past the table's end: not found, and nothing read beyond. */
	static const uint8_t truncated[] = { 0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x07, 0x04, 0x0a };
	/* A one-element package cannot give SLP_TYPb. */
	static const uint8_t short_pkg[] = { 0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x04, 0x01, 0x0a,
					     0x05 };
	/* "_S5_" as the last bytes of the table. */
	static const uint8_t at_end[] = { 0x08, 0x5f, 0x53, 0x35, 0x5f };

	build_dsdt(rooted, sizeof(rooted));
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert(info.s5.found);
	cr_assert_eq(info.s5.slp_typa, 0);
	cr_assert_eq(info.s5.slp_typb, 3);

	build_dsdt(truncated, sizeof(truncated));
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert(!info.s5.found);
	build_dsdt(short_pkg, sizeof(short_pkg));
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert(!info.s5.found);
	build_dsdt(at_end, sizeof(at_end));
	fix_all();
	cr_assert_eq(parse(), 0);
	cr_assert(!info.s5.found);
	cr_assert(logged("no Name (_S5, Package) found"));
}

/* ---- fuzzing ---- */

/* Whatever the bytes, nothing may claim more than the tables have room for. */
static void check_bounds(unsigned long long seed, long it)
{
	const struct acpi_madt *m = &info.madt;
	/* The parser reads the first valid table of a kind; a corrupted copy may come before. */
	const struct acpi_table_desc *d = find_in("APIC", true);

	cr_assert_leq(info.nr_tables, ACPI_MAX_TABLES, "seed %llu iteration %ld", seed, it);
	cr_assert_leq(info.nr_bad, info.nr_tables, "seed %llu iteration %ld", seed, it);
	cr_assert_leq(m->nr_cpus, ACPI_MAX_CPUS);
	cr_assert_leq(m->nr_ioapics, ACPI_MAX_IOAPICS);
	cr_assert_leq(m->nr_overrides, ACPI_MAX_OVERRIDES);
	cr_assert_leq(m->nr_nmis, ACPI_MAX_NMIS);
	cr_assert_leq(info.nr_mcfg, ACPI_MAX_MCFG);
	if (m->present) {
		/* Every entry takes at least 2 bytes after the 44 before the first. */
		unsigned int n = m->nr_cpus + m->nr_ioapics + m->nr_overrides + m->nr_nmis;

		cr_assert(d && d->valid, "seed %llu iteration %ld: a MADT from no valid table", seed, it);
		cr_assert_leq(n * 6 + m->nr_skipped * 2, d->length - 44,
			      "seed %llu iteration %ld: %u entries in a %u-byte MADT", seed, it, n,
			      d->length);
	}
	if (info.nr_mcfg) {
		d = find_in("MCFG", true);
		cr_assert(d && d->valid && info.nr_mcfg <= (d->length - 44) / 16,
			  "seed %llu iteration %ld", seed, it);
	}
	if (info.s5.found)
		cr_assert(info.s5.slp_typa < 8 && info.s5.slp_typb < 8);
}

Test(acpi, fuzz_corrupted_tables)
{
	unsigned long long seed = test_seed("acpi fuzz");
	long iters = test_iters(20000) / 4;
	struct image pristine;

	printk_capture_reset();
	pristine = im;
	for (long it = 0; it < iters; it++) {
		unsigned int flips = 1 + (unsigned int)rnd_below(8);

		im = pristine;
		for (unsigned int i = 0; i < flips; i++) {
			/* Mostly the headers and MADT entries, where lengths and counts live. */
			uint32_t off = rnd_below(4) ? (uint32_t)rnd_below(DSDT_OFF + 64) :
					(uint32_t)rnd_below(MEM_SIZE);

			if (rnd_below(3) == 0)
				im.mem[off] = (uint8_t)rnd();
			else
				im.mem[off] ^= (uint8_t)(1u << rnd_below(8));
		}
		if (rnd_below(8) == 0)
			im.rsdp[rnd_below(36)] ^= (uint8_t)(1u << rnd_below(8));
		/* Mostly make the checksums right again, so the corruption reaches the parsers. */
		if (rnd_below(4))
			fix_all();
		parse();
		check_bounds(seed, it);
		if (it % 256 == 0)
			printk_capture_reset();
	}
}
