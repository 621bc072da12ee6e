/*
 * CSV records: RFC 4180 quoting, one record per line.  The runner's own
 * files never hold line breaks inside a field (notes are flattened), and
 * the optima tables in ../shared/instances have none either.
 */
#include <string.h>

#include "bench.h"

int vmpb_csv_split(char *line, char **fields, int max) {
  int n = 0;
  char *p = line;
  size_t l = strlen(line);
  while (l && (line[l - 1] == '\n' || line[l - 1] == '\r')) line[--l] = 0;
  for (;;) {
    char *start = p, *w = p;
    if (*p == '"') {
      /* quoted: "" is a quote; the field ends at the closing quote */
      p++;
      for (;;) {
        if (!*p) return -1;
        if (*p == '"') {
          if (p[1] == '"') {
            *w++ = '"';
            p += 2;
            continue;
          }
          p++;
          break;
        }
        *w++ = *p++;
      }
      /* text after the closing quote up to the comma is kept verbatim */
      while (*p && *p != ',') *w++ = *p++;
    } else {
      while (*p && *p != ',') p++;
      w = p;
    }
    if (n < max) fields[n] = start;
    n++;
    if (!*p) {
      *w = 0;
      break;
    }
    *w = 0;
    p++;
  }
  return n < max ? n : max;
}

void vmpb_csv_field(FILE *f, const char *text) {
  if (!text) return;
  if (!strpbrk(text, ",\"\r\n")) {
    fputs(text, f);
    return;
  }
  fputc('"', f);
  for (const char *p = text; *p; p++) {
    if (*p == '"')
      fputs("\"\"", f);
    else if (*p == '\n' || *p == '\r')
      fputc(' ', f);
    else
      fputc(*p, f);
  }
  fputc('"', f);
}
