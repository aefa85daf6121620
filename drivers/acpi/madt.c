/*
 * The MADT ("APIC"): the interrupt controllers. After the header come the local APIC's
 * 32-bit physical address and a flags word (bit 0: the machine also has 8259 PICs), then a
 * list of entries, each starting with a type byte and a length byte:
 *   0 local APIC (a CPU), 1 IOAPIC, 2 interrupt source override (ISA IRQ -> GSI), 3 NMI
 *   source (a GSI), 4 local APIC NMI (a LINT pin), 5 local APIC address override (64-bit),
 *   9 local x2APIC (a CPU whose ID needs 32 bits), 0xa local x2APIC NMI.
 * How: walk the entries with the length byte; an entry of length < 2 or running past the
 * table ends the walk (the next entry cannot be found), one shorter than its type needs or
 * of an unknown type is skipped and counted in nr_skipped; an entry may be longer than we
 * know (later revisions append fields). Arrays that are full count further entries as
 * skipped. Invariant: reads stay in [t, t + len), every nr_* stays <= its array's size.
 * docs/acpi.md walks through it.
 */
#define pr_fmt(fmt) "ACPI: MADT: " fmt

#include <kernel/printk.h>

#include "internal.h"

#define MADT_ENTRIES	44	/* offset of the first entry */

enum {
	MADT_LAPIC = 0, MADT_IOAPIC = 1, MADT_OVERRIDE = 2, MADT_NMI_SRC = 3, MADT_LAPIC_NMI = 4,
	MADT_LAPIC_ADDR = 5, MADT_X2APIC = 9, MADT_X2APIC_NMI = 0xa,
};

/* The length each known type needs at least; 0: not a type we read. */
static const uint8_t madt_min_len[] = {
	[MADT_LAPIC] = 8, [MADT_IOAPIC] = 12, [MADT_OVERRIDE] = 10, [MADT_NMI_SRC] = 8,
	[MADT_LAPIC_NMI] = 6, [MADT_LAPIC_ADDR] = 12, [MADT_X2APIC] = 16, [MADT_X2APIC_NMI] = 12,
};

/* Reports (once per kind) and counts an entry that does not fit its array. */
static void full(struct acpi_madt *madt, const char *what, unsigned int max, bool *said)
{
	madt->nr_skipped++;
	if (!*said)
		pr_warn("more than %u %s; the rest are ignored\n", max, what);
	*said = true;
}

static void add_cpu(struct acpi_madt *madt, uint32_t apic_id, uint32_t uid, uint32_t flags,
		    bool *said)
{
	if (madt->nr_cpus >= ACPI_MAX_CPUS)
		return full(madt, "CPUs", ACPI_MAX_CPUS, said);
	madt->cpus[madt->nr_cpus++] = (struct acpi_madt_cpu){
		/*
		 * Flags bit 0: enabled; bit 1: online capable, a socket that may be filled or
		 * enabled later. Firmware often lists more of those than there are CPUs, so
		 * only enabled ones are started at boot (waking an empty socket takes a timeout).
		 */
		.apic_id = apic_id, .acpi_uid = uid, .enabled = flags & 1,
		.online_capable = (flags & 3) == 2,
	};
}

static void add_nmi(struct acpi_madt *madt, struct acpi_madt_nmi nmi, bool *said)
{
	if (madt->nr_nmis >= ACPI_MAX_NMIS)
		return full(madt, "NMI entries", ACPI_MAX_NMIS, said);
	madt->nmis[madt->nr_nmis++] = nmi;
}

/* One entry whose length (>= madt_min_len[type]) lies inside the table. */
static void parse_entry(struct acpi_madt *madt, const uint8_t *e, bool said[4])
{
	switch (e[0]) {
	case MADT_LAPIC:
		add_cpu(madt, get8(e, 3), get8(e, 2), get32(e, 4), &said[0]);
		break;
	case MADT_X2APIC:
		add_cpu(madt, get32(e, 4), get32(e, 12), get32(e, 8), &said[0]);
		break;
	case MADT_IOAPIC:
		if (madt->nr_ioapics >= ACPI_MAX_IOAPICS)
			return full(madt, "IOAPICs", ACPI_MAX_IOAPICS, &said[1]);
		madt->ioapics[madt->nr_ioapics++] = (struct acpi_madt_ioapic){
			.id = get8(e, 2), .addr = get32(e, 4), .gsi_base = get32(e, 8),
		};
		break;
	case MADT_OVERRIDE:
		if (madt->nr_overrides >= ACPI_MAX_OVERRIDES)
			return full(madt, "interrupt source overrides", ACPI_MAX_OVERRIDES,
				    &said[2]);
		madt->overrides[madt->nr_overrides++] = (struct acpi_madt_override){
			.bus = get8(e, 2), .source = get8(e, 3), .gsi = get32(e, 4),
			.flags = get16(e, 8),
		};
		break;
	case MADT_NMI_SRC:
		add_nmi(madt, (struct acpi_madt_nmi){ .flags = get16(e, 2), .gsi = get32(e, 4) },
			&said[3]);
		break;
	case MADT_LAPIC_NMI:
		add_nmi(madt, (struct acpi_madt_nmi){ .is_lapic = true, .acpi_uid = get8(e, 2),
				.flags = get16(e, 3), .lint = get8(e, 5) }, &said[3]);
		break;
	case MADT_X2APIC_NMI:
		add_nmi(madt, (struct acpi_madt_nmi){ .is_lapic = true, .flags = get16(e, 2),
				.acpi_uid = get32(e, 4), .lint = get8(e, 8) }, &said[3]);
		break;
	case MADT_LAPIC_ADDR:
		madt->lapic_addr = get64(e, 4);
		break;
	}
}

void acpi_parse_madt(const uint8_t *t, uint32_t len, struct acpi_madt *madt)
{
	bool said[4] = { false };
	uint32_t off = MADT_ENTRIES;

	*madt = (struct acpi_madt){ 0 };
	if (len < MADT_ENTRIES) {
		pr_warn("length %u is below the %u bytes before its first entry, skipped\n", len,
			MADT_ENTRIES);
		return;
	}
	madt->present = true;
	madt->lapic_addr = get32(t, 36);
	madt->pcat_compat = get32(t, 40) & 1;
	while (off + 2 <= len) {
		uint8_t type = t[off], elen = t[off + 1];

		if (elen < 2 || elen > len - off) {
			pr_warn("entry at offset %u (type %u) has length %u, which %s; the rest of the table is ignored\n",
				off, type, elen,
				elen < 2 ? "cannot be walked" : "runs past the table");
			madt->nr_skipped++;
			break;
		}
		if (type >= ARRAY_SIZE(madt_min_len) || !madt_min_len[type]) {
			madt->nr_skipped++;	/* a type we do not use: legal, skipped quietly */
		} else if (elen < madt_min_len[type]) {
			pr_warn("entry at offset %u (type %u) is %u bytes, below the %u it needs, skipped\n",
				off, type, elen, madt_min_len[type]);
			madt->nr_skipped++;
		} else {
			parse_entry(madt, t + off, said);
		}
		off += elen;
	}
}

uint32_t acpi_madt_isa_irq_to_gsi(const struct acpi_madt *madt, unsigned int irq,
				  uint16_t *flags)
{
	uint32_t gsi = irq;
	uint16_t f = 0;

	for (unsigned int i = 0; madt && i < madt->nr_overrides; i++) {
		const struct acpi_madt_override *o = &madt->overrides[i];

		if (o->bus == 0 && o->source == irq) {
			gsi = o->gsi;
			f = o->flags;
			break;
		}
	}
	/* "Conforms to the bus": ISA interrupts are edge-triggered and active high. */
	if ((f & ACPI_POLARITY_MASK) == ACPI_POLARITY_CONFORMS)
		f |= ACPI_POLARITY_HIGH;
	if ((f & ACPI_TRIGGER_MASK) == ACPI_TRIGGER_CONFORMS)
		f |= ACPI_TRIGGER_EDGE;
	if (flags)
		*flags = f;
	return gsi;
}
