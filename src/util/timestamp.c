/*
 * Timestamps and durations: parsing and formatting without the C library's
 * time zone machinery (timegm is not standard, mktime reads the local zone,
 * and both depend on process-wide state), and numbers without its locale.
 */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "timestamp.h"

/* ---- numbers ------------------------------------------------------------- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Length of the plain decimal number at the start of s[0..n), 0 when there
 * is none. */
static size_t decimal_len(const char *s, size_t n) {
  size_t k = 0, digits = 0;
  if (k < n && (s[k] == '+' || s[k] == '-')) k++;
  while (k < n && is_digit(s[k])) k++, digits++;
  if (k < n && s[k] == '.') {
    k++;
    while (k < n && is_digit(s[k])) k++, digits++;
  }
  if (!digits) return 0;
  if (k < n && (s[k] == 'e' || s[k] == 'E')) {
    size_t e = k + 1, exp_digits = 0;
    if (e < n && (s[e] == '+' || s[e] == '-')) e++;
    while (e < n && is_digit(s[e])) e++, exp_digits++;
    if (exp_digits) k = e;
  }
  return k;
}

int vmp__parse_decimal(const char *s, size_t n, double *out) {
  char buf[80], *end;
  double d;
  if (n == 0 || n >= sizeof buf || decimal_len(s, n) != n) return -1;
  memcpy(buf, s, n);
  buf[n] = '\0';
  {
    /* strtod follows LC_NUMERIC; a host program may have chosen a locale
     * whose decimal point is ','. */
    char *dot = strchr(buf, '.');
    const char *dp = localeconv()->decimal_point;
    if (dot && dp && dp[0] && dp[0] != '.' && !dp[1]) *dot = dp[0];
  }
  d = strtod(buf, &end);
  if (*end) return -1;
  *out = d;
  return 0;
}

/* ---- calendar -------------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar.  The
 * year is shifted to start in March, so that the leap day ends it, and
 * counted in 400-year eras of 146097 days. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  int64_t era, yoe, doy, doe;
  if (m <= 2) y--;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  int64_t era, doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly `width` digits at s[*k]; -1 when they are not there. */
static int fixed_digits(const char *s, size_t n, size_t *k, int width) {
  int v = 0;
  for (int i = 0; i < width; i++) {
    if (*k >= n || !is_digit(s[*k])) return -1;
    v = v * 10 + (s[(*k)++] - '0');
  }
  return v;
}

static int parse_iso(const char *s, size_t n, int64_t *out, const char **why) {
  size_t k = 0;
  int year, month, day, hour = 0, minute = 0, second = 0, round_up = 0;
  int64_t offset = 0, t;
  if ((year = fixed_digits(s, n, &k, 4)) < 0 || k >= n || s[k++] != '-' ||
      (month = fixed_digits(s, n, &k, 2)) < 0 || k >= n || s[k++] != '-' ||
      (day = fixed_digits(s, n, &k, 2)) < 0) {
    *why = "expected Unix seconds or an ISO 8601 date-time";
    return -1;
  }
  if (month < 1 || month > 12) {
    *why = "month out of range";
    return -1;
  }
  if (day < 1 || day > days_in_month(year, month)) {
    *why = "day out of range";
    return -1;
  }
  if (k < n && (s[k] == 'T' || s[k] == 't' || s[k] == ' ')) {
    k++;
    if ((hour = fixed_digits(s, n, &k, 2)) < 0 || k >= n || s[k++] != ':' ||
        (minute = fixed_digits(s, n, &k, 2)) < 0) {
      *why = "expected a time hh:mm[:ss] after the date";
      return -1;
    }
    if (k < n && s[k] == ':') {
      k++;
      if ((second = fixed_digits(s, n, &k, 2)) < 0) {
        *why = "expected two digits of seconds";
        return -1;
      }
      if (k < n && (s[k] == '.' || s[k] == ',')) {
        size_t first = ++k;
        while (k < n && is_digit(s[k])) k++;
        if (k == first) {
          *why = "expected digits after the decimal point";
          return -1;
        }
        round_up = s[first] >= '5';
      }
    }
    if (hour > 23 || minute > 59 || second > 59) {
      *why = hour > 23 ? "hour out of range" : minute > 59 ? "minute out of range"
                                                           : "second out of range";
      return -1;
    }
    if (k < n && (s[k] == 'Z' || s[k] == 'z')) {
      k++;
    } else if (k < n && (s[k] == '+' || s[k] == '-')) {
      int sign = s[k++] == '-' ? -1 : 1, oh, om = 0;
      if ((oh = fixed_digits(s, n, &k, 2)) < 0) {
        *why = "expected a zone offset +hh[:mm]";
        return -1;
      }
      if (k < n && s[k] == ':') k++;
      if (k < n && (om = fixed_digits(s, n, &k, 2)) < 0) {
        *why = "expected a zone offset +hh[:mm]";
        return -1;
      }
      if (oh > 23 || om > 59) {
        *why = "zone offset out of range";
        return -1;
      }
      offset = sign * ((int64_t)oh * 3600 + om * 60);
    }
  }
  if (k != n) {
    *why = "unexpected text after the date-time";
    return -1;
  }
  t = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
      second + round_up - offset;
  if (t > VMP__TIME_MAX || t < -VMP__TIME_MAX) {
    *why = "out of range";
    return -1;
  }
  *out = t;
  return 0;
}

int vmp__time_parse(const char *s, size_t n, int64_t *out, const char **why) {
  double d;
  if (n == 0) {
    *why = "expected Unix seconds or an ISO 8601 date-time, got nothing";
    return -1;
  }
  /* Four digits and a '-' start a date; any other number is seconds. */
  if (!(n >= 5 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) &&
        is_digit(s[3]) && s[4] == '-')) {
    if (vmp__parse_decimal(s, n, &d)) {
      *why = "expected Unix seconds or an ISO 8601 date-time";
      return -1;
    }
    if (!(fabs(d) <= (double)VMP__TIME_MAX)) {
      /* 13-digit values are the usual mistake: milliseconds. */
      *why = fabs(d) < 1e18 ? "too large for Unix seconds (milliseconds?)"
                            : "out of range";
      return -1;
    }
    *out = (int64_t)llround(d);
    return 0;
  }
  return parse_iso(s, n, out, why);
}

const char *vmp__time_format(char buf[32], int64_t t) {
  int64_t days = t / 86400, rem = t % 86400, y;
  int m, d;
  if (rem < 0) {
    rem += 86400;
    days--;
  }
  civil_from_days(days, &y, &m, &d);
  snprintf(buf, 32, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d,
           (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
  return buf;
}

/* ---- durations ----------------------------------------------------------------- */

int vmp__duration_parse(const char *s, double *out) {
  size_t n, k = 0;
  double total = 0;
  if (!s || !(n = strlen(s))) return -1;
  while (k < n) {
    size_t len = decimal_len(s + k, n - k);
    double v, unit = 1;
    if (!len || s[k] == '+' || s[k] == '-') return -1;
    /* "1e3" would be read as a number with an exponent; units come after
     * the number, so an 'e' is never a unit. */
    if (vmp__parse_decimal(s + k, len, &v)) return -1;
    k += len;
    if (k < n) {
      switch (s[k]) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        case 'w': unit = 604800; break;
        default: return -1;
      }
      k++;
    } else if (total > 0) {
      return -1; /* "1h30" is ambiguous */
    }
    total += v * unit;
  }
  if (!isfinite(total) || total <= 0) return -1;
  *out = total;
  return 0;
}

const char *vmp__duration_format(char buf[32], double seconds) {
  static const struct { const char *unit; double size; } units[] = {
      {"w", 604800}, {"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}};
  size_t used = 0, parts = 0;
  double left;
  if (!isfinite(seconds) || seconds < 0 || seconds > 1e15) {
    snprintf(buf, 32, "%gs", seconds);
    return buf;
  }
  left = floor(seconds + 0.5);
  buf[0] = '\0';
  for (size_t u = 0; u < sizeof units / sizeof units[0] && parts < 2; u++) {
    double q = floor(left / units[u].size);
    if (q < 1) continue;
    used += (size_t)snprintf(buf + used, 32 - used, "%.0f%s", q, units[u].unit);
    left -= q * units[u].size;
    parts++;
  }
  if (!parts) snprintf(buf, 32, "0s");
  return buf;
}

/* ---- the public API (vmplace/values.h) ------------------------------------------- */

int vmp_time_parse(const char *text, int64_t *out) {
  const char *why = NULL;
  int64_t t;
  if (!text || !out) return vmp__error(VMP_EINVAL, "text or out is NULL");
  if (vmp__time_parse(text, strlen(text), &t, &why))
    return vmp__error(VMP_EINVAL, "timestamp \"%s\": %s", text, why);
  *out = t;
  return 0;
}

const char *vmp_time_format(char *buf, int64_t t) { return vmp__time_format(buf, t); }

int vmp_duration_parse(const char *text, double *seconds) {
  if (!text || !seconds) return vmp__error(VMP_EINVAL, "text or seconds is NULL");
  if (vmp__duration_parse(text, seconds))
    return vmp__error(VMP_EINVAL,
                      "expected a duration such as 90s, 15m, 24h, 7d or 1h30m, got \"%s\"",
                      text);
  return 0;
}

const char *vmp_duration_format(char *buf, double seconds) {
  return vmp__duration_format(buf, seconds);
}

int vmp_decimal_parse(const char *text, double *out) {
  if (!text || !out) return vmp__error(VMP_EINVAL, "text or out is NULL");
  if (vmp__parse_decimal(text, strlen(text), out))
    return vmp__error(VMP_EINVAL, "expected a decimal number, got \"%s\"", text);
  return 0;
}
