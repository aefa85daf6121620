/*
 * The FADT ("FACP") and the one thing we take from the DSDT: \_S5.
 * The FADT grew with every ACPI revision, so a field is read only when the table's length
 * covers it: revision 1 (116 bytes) has the PM1 blocks, SCI, SMI_CMD and the flags; from
 * revision 2 IAPC_BOOT_ARCH (which legacy devices exist), RESET_REG and RESET_VALUE, and the
 * 64-bit X_ fields (X_DSDT, and X_PM1a/b_CNT_BLK as Generic Address Structures), which
 * override the 32-bit ones when they are non-zero.
 *
 * \_S5 (soft off) says which SLP_TYP values to write into PM1a/b_CNT to power off. It is
 * an AML object, and without an AML interpreter we find it by its byte pattern: NameOp
 * (0x08), optionally the root prefix '\', the name "_S5_", PackageOp (0x12), a PkgLength,
 * the element count, then the elements: ZeroOp (0x00), OneOp (0x01) or BytePrefix (0x0a)
 * and a byte (WordPrefix and DWordPrefix are accepted too). This finds the usual
 * Name (_S5, Package () {...}) at any depth; firmware that computes _S5 in a method is not
 * understood, and power-off then falls back to QEMU's value (drivers/acpi/acpi.c).
 * Invariant: every read is checked against the table's length first.
 * docs/acpi.md walks through it.
 */
#define pr_fmt(fmt) "ACPI: " fmt

#include <kernel/printk.h>

#include "internal.h"

/* The X_PM1x_CNT_BLK at @off, when the table covers it and it is a usable I/O port. */
static void pm1_x_override(const uint8_t *t, uint32_t len, uint32_t off, uint32_t *port)
{
	struct acpi_gas g;

	if (len < off + 12)
		return;
	g = get_gas(t, off);
	if (!g.address)
		return;
	if (g.space_id != ACPI_SPACE_IO || g.address > 0xffff) {
		pr_warn("FACP: X_PM1 control block 0x%llx in address space %u is not an I/O port, the 32-bit block is used\n",
			(unsigned long long)g.address, g.space_id);
		return;
	}
	*port = (uint32_t)g.address;
}

static void parse_reset_reg(const uint8_t *t, uint32_t len, struct acpi_fadt *f)
{
	if (len < 129 || !(f->flags & ACPI_FADT_RESET_REG_SUP))
		return;
	f->reset_reg = get_gas(t, 116);
	f->reset_value = get8(t, 128);
	if (!f->reset_reg.address || f->reset_reg.space_id > ACPI_SPACE_PCI) {
		pr_warn("FACP: reset register 0x%llx in address space %u is unusable, not used\n",
			(unsigned long long)f->reset_reg.address, f->reset_reg.space_id);
		return;
	}
	f->has_reset_reg = true;
}

void acpi_parse_fadt(const uint8_t *t, uint32_t len, struct acpi_fadt *f)
{
	*f = (struct acpi_fadt){ .revision = get8(t, 8), .length = len };
	if (len < 116) {
		pr_warn("FACP: length %u is below the 116 bytes of revision 1, skipped\n", len);
		return;
	}
	f->present = true;
	f->dsdt = get32(t, 40);
	f->sci_irq = get16(t, 46);
	f->smi_cmd = get32(t, 48);
	f->acpi_enable = get8(t, 52);
	f->pm1a_cnt = get32(t, 64);
	f->pm1b_cnt = get32(t, 68);
	f->flags = get32(t, 112);
	if (f->revision >= 2)	/* a reserved byte in revision 1 */
		f->iapc_boot_arch = get16(t, 109);
	parse_reset_reg(t, len, f);
	if (len >= 148 && get64(t, 140))
		f->dsdt = get64(t, 140);
	pm1_x_override(t, len, 172, &f->pm1a_cnt);
	pm1_x_override(t, len, 184, &f->pm1b_cnt);
}

/* An AML integer constant at t[*pos], advancing *pos past it; false if it is none. */
static bool aml_const(const uint8_t *t, uint32_t end, uint32_t *pos, uint32_t *val)
{
	uint32_t p = *pos, n;

	if (p >= end)
		return false;
	switch (t[p]) {
	case 0x00: *val = 0; n = 1; break;	/* ZeroOp */
	case 0x01: *val = 1; n = 1; break;	/* OneOp */
	case 0x0a: n = 2; break;		/* BytePrefix */
	case 0x0b: n = 3; break;		/* WordPrefix */
	case 0x0c: n = 5; break;		/* DWordPrefix */
	default: return false;
	}
	if (n > end - p)
		return false;
	if (n == 2)
		*val = t[p + 1];
	else if (n == 3)
		*val = get16(t, p + 1);
	else if (n == 5)
		*val = get32(t, p + 1);
	*pos = p + n;
	return true;
}

/* The package after "_S5_" at t[pos]: PackageOp, PkgLength, NumElements, two integers. */
static bool s5_package(const uint8_t *t, uint32_t len, uint32_t pos, struct acpi_s5 *s5)
{
	uint32_t follow, pkg_len, end, a, b;

	if (pos + 3 > len || t[pos] != 0x12)
		return false;
	/* PkgLength: bits 7:6 of the lead byte count the bytes that follow (0-3). */
	follow = t[pos + 1] >> 6;
	if (pos + 2 + follow >= len)
		return false;
	pkg_len = follow ? t[pos + 1] & 0x0f : t[pos + 1] & 0x3f;
	for (uint32_t i = 0; i < follow; i++)
		pkg_len |= (uint32_t)t[pos + 2 + i] << (4 + 8 * i);
	/* The length counts from the PkgLength byte itself. */
	end = pos + 1 + pkg_len;
	if (pkg_len < follow + 2 || end > len)
		return false;
	pos += 2 + follow;		/* at NumElements */
	if (t[pos] < 2)
		return false;
	pos++;
	if (!aml_const(t, end, &pos, &a) || !aml_const(t, end, &pos, &b))
		return false;
	if (a > 7 || b > 7)
		pr_warn("DSDT: \\_S5 SLP_TYP values %u, %u do not fit 3 bits; the low bits are used\n",
			a, b);
	s5->slp_typa = a & 7;
	s5->slp_typb = b & 7;
	s5->found = true;
	return true;
}

bool acpi_find_s5(const uint8_t *t, uint32_t len, struct acpi_s5 *s5)
{
	*s5 = (struct acpi_s5){ 0 };
	for (uint32_t i = ACPI_HEADER_LEN + 1; i + 4 <= len; i++) {
		bool named;

		if (t[i] != '_' || t[i + 1] != 'S' || t[i + 2] != '5' || t[i + 3] != '_')
			continue;
		named = t[i - 1] == 0x08 ||
			(t[i - 1] == '\\' && i >= ACPI_HEADER_LEN + 2 && t[i - 2] == 0x08);
		if (named && s5_package(t, len, i + 4, s5))
			return true;
	}
	pr_warn("DSDT: no Name (_S5, Package) found in its AML\n");
	return false;
}
