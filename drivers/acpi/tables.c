/*
 * The ACPI table walk: from the RSDP to every table it leads to, believing nothing unchecked.
 * The RSDP ("RSD PTR ", a checksum over its first 20 bytes and, from revision 2, an extended
 * checksum over the 36-byte structure) gives the physical address of the RSDT (32-bit entries)
 * and, from revision 2, of the XSDT (64-bit entries), which is preferred when it is there and
 * good. Each entry is the physical address of a table that starts with the same 36-byte
 * header: signature, length, revision, checksum (all bytes of the table sum to 0 mod 256),
 * OEM fields. The DSDT is not listed: the FADT points at it.
 *
 * How: every table goes through load_table(): map its header, check the length is at least
 * the header and at most ACPI_MAX_TABLE_LEN, map the whole length, check the checksum. Only
 * then is it handed to its parser (MADT in madt.c, FADT and the DSDT's \_S5 in fadt.c, HPET
 * and MCFG here). Every table is recorded in acpi_info.tables[], valid or not; a bad one is
 * reported in one pr_warn sentence (signature, address, what is wrong) and skipped, and the
 * walk goes on with the next.
 *
 * Limits: ACPI_MAX_TABLES tables are recorded (the rest are reported and not read); the first
 * table of each kind wins. The FACS (no checksum, and nothing we use) is not read.
 * Invariant: no byte is read outside what @map returned for a range, and no array in
 * struct acpi_info is filled past its size. Pure C: tests/host builds and fuzzes it.
 * docs/acpi.md walks through it.
 */
#define pr_fmt(fmt) "ACPI: " fmt

#include <kernel/printk.h>
#include <lib/errno.h>

#include "internal.h"

#define RSDP_V1_LEN	20
#define RSDP_V2_LEN	36

struct acpi_walk {
	acpi_map_fn map;
	void *ctx;
	struct acpi_info *out;
	bool full_reported;
};

/* Copies @n bytes of an ID field; anything unprintable becomes '?' so the log stays sane. */
static void copy_id(char *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[n] = '\0';
}

static bool sig_is(const char *sig, const char *want)
{
	for (int i = 0; i < 4; i++)
		if (sig[i] != want[i])
			return false;
	return true;
}

/* A slot in tables[] for the table at @phys, or NULL (reported once) when all are taken. */
static struct acpi_table_desc *new_desc(struct acpi_walk *w, uint64_t phys)
{
	struct acpi_info *out = w->out;
	struct acpi_table_desc *d;

	if (out->nr_tables >= ACPI_MAX_TABLES) {
		if (!w->full_reported)
			pr_warn("more than %u tables; the table at 0x%llx and any after it are not read\n",
				ACPI_MAX_TABLES, (unsigned long long)phys);
		w->full_reported = true;
		return NULL;
	}
	d = &out->tables[out->nr_tables++];
	*d = (struct acpi_table_desc){ .phys = phys };
	copy_id(d->signature, (const uint8_t *)"????", 4);
	return d;
}

/*
 * Maps and checks the table at @phys (whose signature must be @expect, if given) and records
 * it. Returns the whole table, or NULL when it is unusable (reported, counted in nr_bad).
 */
static const uint8_t *load_table(struct acpi_walk *w, uint64_t phys, const char *expect)
{
	struct acpi_table_desc *d = new_desc(w, phys);
	const uint8_t *h, *t;
	uint8_t sum;

	if (!d)
		return NULL;
	w->out->nr_bad++;	/* until every check below has passed */
	h = w->map(phys, ACPI_HEADER_LEN, w->ctx);
	if (!h) {
		pr_warn("the table at 0x%llx cannot be mapped (not even its %u-byte header), skipped\n",
			(unsigned long long)phys, ACPI_HEADER_LEN);
		return NULL;
	}
	copy_id(d->signature, h, 4);
	d->length = get32(h, 4);
	d->revision = get8(h, 8);
	copy_id(d->oem_id, h + 10, 6);
	copy_id(d->oem_table_id, h + 16, 8);
	d->oem_revision = get32(h, 24);
	copy_id(d->creator_id, h + 28, 4);
	d->creator_revision = get32(h, 32);

	if (expect && !sig_is(d->signature, expect)) {
		pr_warn("the table at 0x%llx should be a %s but its signature is \"%s\", skipped\n",
			(unsigned long long)phys, expect, d->signature);
		return NULL;
	}
	if (d->length < ACPI_HEADER_LEN) {
		pr_warn("%s at 0x%llx: length %u is shorter than its own %u-byte header, skipped\n",
			d->signature, (unsigned long long)phys, d->length, ACPI_HEADER_LEN);
		return NULL;
	}
	if (d->length > ACPI_MAX_TABLE_LEN) {
		pr_warn("%s at 0x%llx: length %u is absurd (over %u bytes), skipped\n",
			d->signature, (unsigned long long)phys, d->length, ACPI_MAX_TABLE_LEN);
		return NULL;
	}
	t = w->map(phys, d->length, w->ctx);
	if (!t) {
		pr_warn("%s at 0x%llx: its length %u runs past mappable memory, skipped\n",
			d->signature, (unsigned long long)phys, d->length);
		return NULL;
	}
	sum = acpi_checksum(t, d->length);
	if (sum) {
		pr_warn("%s at 0x%llx: checksum is wrong (its %u bytes sum to 0x%02x, not 0), skipped\n",
			d->signature, (unsigned long long)phys, d->length, sum);
		return NULL;
	}
	d->valid = true;
	w->out->nr_bad--;
	return t;
}

/* HPET: the event timer block ID, then the base address (a GAS), number, minimum tick. */
static void parse_hpet(const uint8_t *t, uint32_t len, struct acpi_hpet *hpet)
{
	struct acpi_gas base;

	if (len < 56) {
		pr_warn("HPET: length %u is below the 56 bytes of its fields, skipped\n", len);
		return;
	}
	base = get_gas(t, 40);
	if (base.space_id != ACPI_SPACE_MEMORY || !base.address) {
		pr_warn("HPET: base address 0x%llx in address space %u is unusable, skipped\n",
			(unsigned long long)base.address, base.space_id);
		return;
	}
	hpet->addr = base.address;
	hpet->number = get8(t, 52);
	hpet->min_tick = get16(t, 53);
	hpet->present = true;
}

/* MCFG: 8 reserved bytes, then 16-byte allocations (ECAM base, segment, bus range). */
static void parse_mcfg(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	uint32_t n = len >= 44 ? (len - 44) / 16 : 0;

	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = t + 44 + i * 16;
		struct acpi_mcfg_region *r;

		if (out->nr_mcfg >= ACPI_MAX_MCFG) {
			pr_warn("MCFG: %u regions, only the first %u are kept\n", n, ACPI_MAX_MCFG);
			return;
		}
		r = &out->mcfg[out->nr_mcfg];
		r->base = get64(e, 0);
		r->segment = get16(e, 8);
		r->bus_start = get8(e, 10);
		r->bus_end = get8(e, 11);
		if (r->bus_end < r->bus_start || !r->base) {
			pr_warn("MCFG: region %u (base 0x%llx, buses %u-%u) is malformed, skipped\n",
				i, (unsigned long long)r->base, r->bus_start, r->bus_end);
			continue;
		}
		out->nr_mcfg++;
	}
}

/* Hands a good table to its parser; the first of each kind wins. */
static void dispatch(struct acpi_info *out, const struct acpi_table_desc *d, const uint8_t *t)
{
	bool dup = false;

	if (sig_is(d->signature, "APIC")) {
		dup = out->madt.present;
		if (!dup)
			acpi_parse_madt(t, d->length, &out->madt);
	} else if (sig_is(d->signature, "FACP")) {
		dup = out->fadt.present;
		if (!dup)
			acpi_parse_fadt(t, d->length, &out->fadt);
	} else if (sig_is(d->signature, "HPET")) {
		dup = out->hpet.present;
		if (!dup)
			parse_hpet(t, d->length, &out->hpet);
	} else if (sig_is(d->signature, "MCFG")) {
		dup = out->nr_mcfg > 0;
		if (!dup)
			parse_mcfg(t, d->length, out);
	}
	if (dup)
		pr_warn("a second %s table at 0x%llx is ignored (the first one is used)\n",
			d->signature, (unsigned long long)d->phys);
}

/* The RSDT or XSDT at @phys: @esize-byte entries, each a table's physical address. */
static bool walk_root(struct acpi_walk *w, uint64_t phys, bool xsdt)
{
	const char *sig = xsdt ? "XSDT" : "RSDT";
	unsigned int esize = xsdt ? 8 : 4;
	const uint8_t *root = load_table(w, phys, sig);
	uint32_t n;

	if (!root)
		return false;
	n = (w->out->tables[w->out->nr_tables - 1].length - ACPI_HEADER_LEN) / esize;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = root + ACPI_HEADER_LEN + i * esize;
		uint64_t addr = xsdt ? get64(e, 0) : get32(e, 0);
		const uint8_t *t;

		if (!addr) {
			pr_warn("%s entry %u is a null address, skipped\n", sig, i);
			continue;
		}
		/* One slot stays free for the DSDT, which the FADT names. */
		if (w->out->nr_tables >= ACPI_MAX_TABLES - 1) {
			pr_warn("%s lists %u tables; only the first %u are read\n", sig, n, i);
			break;
		}
		t = load_table(w, addr, NULL);
		if (t)
			dispatch(w->out, &w->out->tables[w->out->nr_tables - 1], t);
	}
	return true;
}

/* The DSDT, named by the FADT: checked as any table, then scanned for \_S5. */
static void load_dsdt(struct acpi_walk *w)
{
	struct acpi_info *out = w->out;
	const uint8_t *t;

	if (!out->fadt.present || !out->fadt.dsdt)
		return;
	t = load_table(w, out->fadt.dsdt, "DSDT");
	if (t)
		acpi_find_s5(t, out->tables[out->nr_tables - 1].length, &out->s5);
}

int acpi_parse_rsdp(const void *rsdp, size_t len, uint64_t rsdp_phys, acpi_map_fn map,
		    void *ctx, struct acpi_info *out)
{
	struct acpi_walk w = { .map = map, .ctx = ctx, .out = out };
	const uint8_t *p = rsdp;
	uint64_t rsdt = 0, xsdt = 0;

	*out = (struct acpi_info){ .rsdp_phys = rsdp_phys };
	if (!p || len < RSDP_V1_LEN || !sig_is((const char *)p, "RSD ") ||
	    !sig_is((const char *)p + 4, "PTR ")) {
		pr_warn("no RSDP signature (\"RSD PTR \") at 0x%llx, ACPI is not used\n",
			(unsigned long long)rsdp_phys);
		return -EINVAL;
	}
	if (acpi_checksum(p, RSDP_V1_LEN)) {
		pr_warn("the RSDP at 0x%llx has a wrong checksum, ACPI is not used\n",
			(unsigned long long)rsdp_phys);
		return -EINVAL;
	}
	out->present = true;
	copy_id(out->oem_id, p + 9, 6);
	out->revision = get8(p, 15);
	out->rsdp_length = RSDP_V1_LEN;
	rsdt = get32(p, 16);
	if (out->revision >= 2) {
		uint32_t xlen = len >= RSDP_V2_LEN ? get32(p, 20) : 0;

		if (len < RSDP_V2_LEN)
			pr_warn("RSDP revision %u but only %zu bytes were given; the RSDT is used\n",
				out->revision, len);
		else if (xlen < RSDP_V2_LEN || acpi_checksum(p, MIN((size_t)xlen, len)))
			pr_warn("the RSDP's extended part (length %u) fails its checksum; the RSDT is used\n",
				xlen);
		else {
			xsdt = get64(p, 24);
			out->rsdp_length = xlen;
		}
	}
	if (xsdt) {
		out->use_xsdt = true;
		if (walk_root(&w, xsdt, true))
			goto tables_done;
		out->use_xsdt = false;
		if (rsdt)
			pr_warn("the XSDT is unusable; falling back to the RSDT at 0x%llx\n",
				(unsigned long long)rsdt);
	}
	if (!rsdt) {
		pr_warn("the RSDP names no usable RSDT or XSDT, ACPI is not used\n");
		out->present = false;
		return -EINVAL;
	}
	if (!walk_root(&w, rsdt, false)) {
		out->present = false;
		return -EINVAL;
	}
tables_done:
	load_dsdt(&w);
	return 0;
}
