/*
 * vmplace — values as people write them: timestamps, durations and plain
 * decimal numbers, read and written the way usage histories, forecasts
 * and the vmplace program do.  Nothing here depends on the C locale.
 */
#ifndef VMPLACE_VALUES_H
#define VMPLACE_VALUES_H

#include "common.h"

VMP_BEGIN_DECLS

/** Bytes a buffer for vmp_time_format or vmp_duration_format holds. */
#define VMP_VALUE_BUFSIZE 32

/** Parses a timestamp: Unix seconds (a decimal number; a fraction is
 * rounded to the nearest second) or an ISO 8601 date or date-time
 * (YYYY-MM-DD, then optionally 'T' or a space and hh:mm[:ss[.fff]], then
 * optionally 'Z' or an offset +hh[:mm] / -hh[:mm]; without an offset the
 * time is UTC).  0 and *out (Unix seconds), or VMP_EINVAL with the detail
 * message saying what is wrong. */
VMP_API int vmp_time_parse(const char *text, int64_t *out);

/** Formats t (Unix seconds) as "YYYY-MM-DDThh:mm:ssZ" (UTC) into buf,
 * which holds VMP_VALUE_BUFSIZE bytes.  Returns buf. */
VMP_API const char *vmp_time_format(char *buf, int64_t t);

/** Parses a duration: one or more <number><unit> with units s, m, h, d, w
 * ("90s", "15m", "1.5h", "1h30m"); a bare number is seconds.  0 and
 * *seconds (> 0 and finite), or VMP_EINVAL. */
VMP_API int vmp_duration_parse(const char *text, double *seconds);

/** Formats a duration briefly ("45s", "15m", "2h30m", "1d", "1w3d") into
 * buf, which holds VMP_VALUE_BUFSIZE bytes.  Returns buf. */
VMP_API const char *vmp_duration_format(char *buf, double seconds);

/** Parses plain decimal notation ([+-]digits[.digits][e[+-]digits]; no
 * hexadecimal, inf or nan), whatever the C locale's decimal point.  0 and
 * *out, or VMP_EINVAL. */
VMP_API int vmp_decimal_parse(const char *text, double *out);

VMP_END_DECLS

#endif /* VMPLACE_VALUES_H */
