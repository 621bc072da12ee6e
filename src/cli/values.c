/*
 * Option values that several subcommands share: durations ("24h", "15m")
 * and ratios ("0.8", "80%").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_parse_duration(const char *opt, const char *text, double *out) {
  if (vmp_duration_parse(text, out)) {
    cli_error("%s: expected a duration such as 90s, 15m, 24h, 7d or 1h30m, got '%s'",
              opt, text);
    return -1;
  }
  return 0;
}

int cli_parse_ratio(const char *opt, const char *text, double *out) {
  size_t n = strlen(text);
  double scale = 1, v;
  char buf[64];
  if (n && text[n - 1] == '%') {
    scale = 0.01;
    n--;
  }
  if (n == 0 || n >= sizeof buf) goto bad;
  memcpy(buf, text, n);
  buf[n] = '\0';
  if (vmp_decimal_parse(buf, &v) || !isfinite(v)) goto bad;
  *out = v * scale;
  return 0;
bad:
  cli_error("%s: expected a ratio such as 0.8 or 80%%, got '%s'", opt, text);
  return -1;
}
