/*
 * ctl_fmt.h: squeezerctl's figures for people: sizes in a readable unit
 * ("96.0 GiB", "512 MiB"), durations in the largest units ("1y", "10m",
 * "2.5s"), strings made safe for a terminal.  No I/O.
 */
#ifndef SQUEEZERD_CTL_FMT_H
#define SQUEEZERD_CTL_FMT_H

#include <stddef.h>
#include <stdint.h>

/* A unit of sizes: KiB << (10 * unit); AUTO: the readable one for each. */
#define CTL_FMT_AUTO	(-1)
#define CTL_FMT_KIB	0
#define CTL_FMT_MIB	1
#define CTL_FMT_GIB	2
#define CTL_FMT_TIB	3

/* Parse a unit for -u: K, M, G or T, any case, optionally with B or iB. */
int	ctl_fmt_parse_unit(const char *s, int *ret_unit);

/* "KiB", "MiB", "GiB" or "TiB". */
const char	*ctl_fmt_unit_name(int unit);

/* The readable unit for kib: the largest that holds it once or more. */
int	ctl_fmt_unit_for(int64_t kib);

/*
 * Write kib in unit (CTL_FMT_AUTO: its readable one) without the unit's
 * name: one decimal in GiB and TiB ("1.5"), whole in KiB and MiB ("512").
 */
void	ctl_fmt_number(int64_t kib, int unit, char *buf, size_t len);

/* As ctl_fmt_number(), with the unit's name: "96.0 GiB", "512 MiB". */
void	ctl_fmt_size(int64_t kib, int unit, char *buf, size_t len);

/*
 * Write ms in the largest units, at most two: "250ms", "2.5s", "59.9s",
 * "1m30s", "10m", "1h2m", "1d", "1y"; rounded to the smaller unit shown
 * (a tenth of a second below a minute).
 */
void	ctl_fmt_duration(uint64_t ms, char *buf, size_t len);

/* Copy s for a terminal: control characters become '?'. */
void	ctl_fmt_clean(const char *s, char *buf, size_t len);

#endif
