/*
 * ACPI tables: what the firmware tells us about the machine, in our own words.
 * drivers/acpi/tables.c (a pure core, also built into tests/host) walks the RSDP, the
 * RSDT or XSDT and the tables they list, checking every signature, length and checksum,
 * and fills one struct acpi_info; drivers/acpi/acpi.c finds the RSDP (the multiboot2
 * tag, else a scan of the EBDA and 0xe0000-0xfffff), maps the tables and hands them to
 * the core. A table with a bad checksum or a length that does not fit is reported and
 * skipped; the rest of the kernel reads only struct acpi_info, never a raw table.
 * Specification: ACPI 6.5, chapter 5.2 (RSDP, RSDT/XSDT, FADT, MADT), and the HPET and
 * PCI Firmware (MCFG) specifications. docs/acpi.md walks through it.
 */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

#include <kernel/compiler.h>

#define ACPI_MAX_CPUS		64
#define ACPI_MAX_IOAPICS	8
#define ACPI_MAX_OVERRIDES	16
#define ACPI_MAX_NMIS		8
#define ACPI_MAX_TABLES		32

/* MPS INTI flags of an override or NMI source (MADT): polarity bits 1:0, trigger 3:2. */
#define ACPI_POLARITY_MASK	0x3
#define  ACPI_POLARITY_CONFORMS	0x0	/* as the bus says: ISA is active high */
#define  ACPI_POLARITY_HIGH	0x1
#define  ACPI_POLARITY_LOW	0x3
#define ACPI_TRIGGER_MASK	0xc
#define  ACPI_TRIGGER_CONFORMS	0x0	/* as the bus says: ISA is edge */
#define  ACPI_TRIGGER_EDGE	0x4
#define  ACPI_TRIGGER_LEVEL	0xc

/* A Generic Address Structure (FADT reset register, HPET base). */
struct acpi_gas {
	uint8_t space_id;	/* 0 system memory, 1 system I/O, 2 PCI config */
	uint8_t bit_width, bit_offset, access_size;
	uint64_t address;
};
#define ACPI_SPACE_MEMORY	0
#define ACPI_SPACE_IO		1
#define ACPI_SPACE_PCI		2

/* One table the RSDT/XSDT listed, as the boot log shows it. */
struct acpi_table_desc {
	char signature[5];
	uint64_t phys;
	uint32_t length;
	uint8_t revision;
	char oem_id[7], oem_table_id[9];
	bool valid;		/* signature, length and checksum all good */
	uint32_t oem_revision;
	char creator_id[5];
	uint32_t creator_revision;
};

struct acpi_madt_cpu {
	uint32_t apic_id;	/* the local APIC (or x2APIC) ID */
	uint32_t acpi_uid;	/* the processor's ACPI UID */
	bool enabled;		/* usable now: started at boot */
	bool online_capable;	/* not enabled, but may be later (hot-add): not started */
};

struct acpi_madt_ioapic {
	uint32_t id;
	uint64_t addr;		/* physical MMIO base */
	uint32_t gsi_base;	/* first global system interrupt it serves */
};

/* "ISA IRQ @source arrives on GSI @gsi with @flags" (MADT type 2). */
struct acpi_madt_override {
	uint8_t bus, source;
	uint32_t gsi;
	uint16_t flags;		/* ACPI_POLARITY_* | ACPI_TRIGGER_* */
};

/* An NMI wired to a local APIC's LINT pin (type 4) or to a GSI (type 3). */
struct acpi_madt_nmi {
	bool is_lapic;		/* true: local APIC LINT; false: a GSI */
	uint32_t acpi_uid;	/* type 4: 0xff (or 0xffffffff) means every processor */
	uint8_t lint;		/* type 4: LINT0 or LINT1 */
	uint32_t gsi;		/* type 3 */
	uint16_t flags;
};

struct acpi_madt {
	bool present;
	uint64_t lapic_addr;	/* the 64-bit override (type 5) when there is one */
	bool pcat_compat;	/* flags bit 0: there are 8259 PICs to mask */
	struct acpi_madt_cpu cpus[ACPI_MAX_CPUS];
	unsigned int nr_cpus;
	struct acpi_madt_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned int nr_ioapics;
	struct acpi_madt_override overrides[ACPI_MAX_OVERRIDES];
	unsigned int nr_overrides;
	struct acpi_madt_nmi nmis[ACPI_MAX_NMIS];
	unsigned int nr_nmis;
	unsigned int nr_skipped;	/* entries of unknown type or bad length */
};

struct acpi_hpet {
	bool present;
	uint64_t addr;		/* physical MMIO base (system memory space) */
	uint8_t number;		/* HPET sequence number */
	uint16_t min_tick;	/* main counter ticks, the minimum periodic setting */
};

/* FADT.IAPC_BOOT_ARCH bits: which legacy devices the machine has. */
#define ACPI_BOOT_LEGACY_DEVICES	(1u << 0)
#define ACPI_BOOT_8042			(1u << 1)
#define ACPI_BOOT_NO_VGA		(1u << 2)
#define ACPI_BOOT_NO_MSI		(1u << 3)
#define ACPI_BOOT_NO_CMOS_RTC		(1u << 5)

/* FADT.Flags bits used here. */
#define ACPI_FADT_RESET_REG_SUP		(1u << 10)
#define ACPI_FADT_HW_REDUCED		(1u << 20)

struct acpi_fadt {
	bool present;
	uint8_t revision;
	uint32_t flags;
	uint16_t iapc_boot_arch;	/* 0 in FADT revision 1, which has no such field */
	uint16_t sci_irq;
	uint32_t smi_cmd;		/* I/O port; 0: ACPI mode is always on */
	uint8_t acpi_enable;		/* value to write to smi_cmd to enter ACPI mode */
	uint32_t pm1a_cnt, pm1b_cnt;	/* I/O ports of the PM1 control blocks (0: none) */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	bool has_reset_reg;		/* RESET_REG_SUP set and the register usable */
	uint64_t dsdt;			/* physical address of the DSDT (X_DSDT, else DSDT) */
	uint32_t length;		/* bytes of the FADT: which fields exist */
};

/*
 * \_S5 (soft off), as the DSDT's AML declares it: Name (_S5, Package () { SLP_TYPa,
 * SLP_TYPb, ... }). Found by a bounded byte scan, not by an AML interpreter (fadt.c).
 */
struct acpi_s5 {
	bool found;
	uint8_t slp_typa, slp_typb;	/* 3-bit values for PM1a_CNT and PM1b_CNT bits 12:10 */
};

struct acpi_mcfg_region {
	uint64_t base;			/* ECAM base */
	uint16_t segment;
	uint8_t bus_start, bus_end;
};
#define ACPI_MAX_MCFG	4

struct acpi_info {
	bool present;			/* an RSDP with a good checksum was found */
	uint8_t revision;		/* RSDP revision: 0 (RSDT only) or 2 (XSDT) */
	uint32_t rsdp_length;		/* 20 (revision 0) or the v2 structure's length */
	char oem_id[7];
	uint64_t rsdp_phys;
	bool use_xsdt;
	struct acpi_table_desc tables[ACPI_MAX_TABLES];
	unsigned int nr_tables;
	unsigned int nr_bad;		/* tables reported and skipped */
	struct acpi_madt madt;
	struct acpi_hpet hpet;
	struct acpi_fadt fadt;
	struct acpi_mcfg_region mcfg[ACPI_MAX_MCFG];
	unsigned int nr_mcfg;
	struct acpi_s5 s5;
};

extern struct acpi_info acpi;

/*
 * The pure core. @map returns a pointer through which @len bytes at physical @phys can be
 * read, or NULL (the core then reports the table and skips it); @ctx is passed back.
 * acpi_parse_rsdp() checks the RSDP at @rsdp (@len bytes available) and walks everything
 * it leads to. Returns 0, or -EINVAL when the RSDP itself is unusable.
 */
typedef const void *(*acpi_map_fn)(uint64_t phys, size_t len, void *ctx);
int acpi_parse_rsdp(const void *rsdp, size_t len, uint64_t rsdp_phys, acpi_map_fn map,
		    void *ctx, struct acpi_info *out);

/* Kernel side (drivers/acpi/acpi.c): find, map, parse, log. Called once at boot. */
void acpi_init(void);

/*
 * The BIOS way to find the RSDP: the first 16-byte-aligned "RSD PTR " with a good checksum in
 * @len bytes mapped at @mem, which are physical @phys onwards. Its physical address, or 0.
 */
uint64_t acpi_scan_rsdp(const void *mem, uint64_t phys, uint64_t len);

/*
 * Where ISA IRQ @irq arrives: its GSI and MPS flags after the MADT's overrides
 * (identity, edge, active high when there is none). @flags may be NULL. The flags returned
 * never say "conforms": that is resolved to what ISA means by it (edge, active high), so
 * the caller tests ACPI_TRIGGER_LEVEL / ACPI_POLARITY_LOW and nothing else.
 * acpi_madt_isa_irq_to_gsi() is the same on a given MADT (pure, host-tested).
 */
uint32_t acpi_isa_irq_to_gsi(unsigned int irq, uint16_t *flags);
uint32_t acpi_madt_isa_irq_to_gsi(const struct acpi_madt *madt, unsigned int irq,
				  uint16_t *flags);

/* Power: enter S5 through PM1a/PM1b (QEMU's PIIX4 and ICH9 conventions where there is no
 * AML interpreter to read \_S5); the reset register. Both return only on failure. */
int acpi_power_off(void);
int acpi_reset(void);

#endif
