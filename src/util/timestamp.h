/*
 * Timestamps and durations as people write them: Unix seconds, ISO 8601
 * date-times ("2024-05-01T13:00:00Z"), durations ("24h", "1h30m").  Used by
 * the history readers, the forecast output and the command line.
 */
#ifndef VMP_TIMESTAMP_H
#define VMP_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

/* Timestamps further than this from the epoch (about year 5138) are
 * refused: they are milliseconds or garbage, and keeping them small keeps
 * every sum of timestamps and steps far from int64 overflow. */
#define VMP__TIME_MAX 100000000000LL

/* Parses s[0..n): Unix seconds (a decimal number; a fraction is rounded to
 * the nearest second) or an ISO 8601 date or date-time: YYYY-MM-DD, then
 * optionally 'T' (or a space) and hh:mm[:ss[.fff]], then optionally 'Z' or
 * an offset +hh[:mm] / -hh[:mm].  Without an offset the time is UTC.
 * 0 and *out on success; -1 with *why set to a static phrase ("month out of
 * range") otherwise. */
int vmp__time_parse(const char *s, size_t n, int64_t *out, const char **why);

/* Formats t as "YYYY-MM-DDThh:mm:ssZ" (UTC).  buf must hold 32 bytes. */
const char *vmp__time_format(char buf[32], int64_t t);

/* Parses a duration: one or more <number><unit> with units s, m, h, d, w
 * ("90s", "15m", "1.5h", "1h30m"); a bare number is seconds.  0 and *out
 * (seconds, > 0 and finite) on success, -1 otherwise. */
int vmp__duration_parse(const char *s, double *out);

/* Formats a duration briefly: "45s", "15m", "2h30m", "1d", "1w3d".  buf
 * must hold 32 bytes. */
const char *vmp__duration_format(char buf[32], double seconds);

/* Parses s[0..n) as plain decimal notation ([+-]digits[.digits][e[+-]digits],
 * no hex, inf or nan), whatever the C locale's decimal point.  0 and *out,
 * or -1. */
int vmp__parse_decimal(const char *s, size_t n, double *out);

#endif /* VMP_TIMESTAMP_H */
