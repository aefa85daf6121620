/*
 * What the files of the ACPI core share (drivers/acpi/tables.c, madt.c, fadt.c): byte-wise
 * little-endian readers and the per-table parsers. ACPI tables are packed: a u64 in the XSDT
 * sits at offset 36, a u32 in a MADT entry at any offset. Reading them through a struct
 * pointer would be a misaligned access that UBSan rightly reports, so every field is read
 * here, byte by byte, at an offset the caller has checked against the table's length.
 */
#ifndef DRIVERS_ACPI_INTERNAL_H
#define DRIVERS_ACPI_INTERNAL_H

#include <drivers/acpi.h>

#define ACPI_HEADER_LEN		36		/* every table but the RSDP and the FACS */
#define ACPI_MAX_TABLE_LEN	(4u << 20)	/* bytes; larger is corruption, not a DSDT */

static inline uint8_t get8(const uint8_t *p, size_t off)
{
	return p[off];
}

static inline uint16_t get16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static inline uint32_t get32(const uint8_t *p, size_t off)
{
	return (uint32_t)get16(p, off) | (uint32_t)get16(p, off + 2) << 16;
}

static inline uint64_t get64(const uint8_t *p, size_t off)
{
	return (uint64_t)get32(p, off) | (uint64_t)get32(p, off + 4) << 32;
}

/* A Generic Address Structure: 12 bytes at @off. */
static inline struct acpi_gas get_gas(const uint8_t *p, size_t off)
{
	struct acpi_gas g = {
		.space_id = p[off], .bit_width = p[off + 1], .bit_offset = p[off + 2],
		.access_size = p[off + 3], .address = get64(p, off + 4),
	};

	return g;
}

/* Sum of @len bytes modulo 256: 0 for a table whose checksum byte is right. */
static inline uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

/* Each parser gets a whole table whose length and checksum were checked (@len >= 36). */
void acpi_parse_madt(const uint8_t *t, uint32_t len, struct acpi_madt *madt);
void acpi_parse_fadt(const uint8_t *t, uint32_t len, struct acpi_fadt *fadt);
/* The AML of a DSDT (or SSDT): look for \_S5's package; true when found. */
bool acpi_find_s5(const uint8_t *t, uint32_t len, struct acpi_s5 *s5);

#endif
