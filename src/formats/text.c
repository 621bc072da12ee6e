/*
 * What the text readers share: a tokenizer of whitespace-separated
 * numbers that knows its line, so that every message
 * reads "origin: line 7: size 2 of item 5: expected a number, got \"x\"".
 *
 * The input need not be NUL-terminated (vmp_problem_parse takes any bytes),
 * so a token is copied into a small buffer before it is converted; nothing
 * here ever reads past `end`.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readers.h"

/* Longer tokens are not numbers anyone writes; refusing them keeps the
 * copy on the stack. */
#define TOKEN_MAX 64
/* How much of a bad token a message shows. */
#define SHOW_MAX 24

/* ---- tokenizer ---------------------------------------------------------------- */

void vmp__tok_init(vmp__tok *t, const char *data, size_t len,
                   const char *origin) {
  t->p = data ? data : "";
  t->end = t->p + (data ? len : 0);
  t->origin = origin ? origin : "<input>";
  t->line = 1;
  /* Files saved by some Windows editors start with a UTF-8 byte order
   * mark; it is not part of the first number. */
  if (t->end - t->p >= 3 && !memcmp(t->p, "\xEF\xBB\xBF", 3)) t->p += 3;
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

static void skip_space(vmp__tok *t) {
  while (t->p < t->end && is_space(*t->p)) {
    if (*t->p == '\n') t->line++;
    t->p++;
  }
}


/* Takes the next token; 0 and sets *s, *n, or VMP_EPARSE at end of input. */
static int next_token(vmp__tok *t, const char *what, const char **s,
                      size_t *n) {
  const char *b;
  size_t line = t->line;
  skip_space(t);
  /* A truncated file is reported at its last number, not at the empty
   * line that its final newline starts. */
  if (t->p >= t->end)
    return vmp__error(VMP_EPARSE, "%s: line %zu: %s: expected a number, got "
                      "end of input", t->origin, line, what);
  b = t->p;
  while (t->p < t->end && !is_space(*t->p)) t->p++;
  *s = b;
  *n = (size_t)(t->p - b);
  return 0;
}

static int lower(char c) {
  return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* "nan", "inf" and "infinity" with an optional sign, in any case: strtod
 * would take them, but a capacity of NaN is never meant. */
static int is_nonfinite_word(const char *s, size_t n) {
  static const char *const words[] = {"nan", "inf", "infinity"};
  if (n && (*s == '+' || *s == '-')) {
    s++;
    n--;
  }
  for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
    size_t k, m = strlen(words[w]);
    if (m != n) continue;
    for (k = 0; k < m && lower(s[k]) == words[w][k]; k++) continue;
    if (k == m) return 1;
  }
  return 0;
}

static int bad_token(const vmp__tok *t, int code, const char *what,
                     const char *expected, const char *s, size_t n) {
  char b[SHOW_MAX + 4];
  vmp__snip(b, SHOW_MAX, s, n);
  return vmp__error(code, "%s: line %zu: %s: expected %s, got \"%s\"",
                    t->origin, t->line, what, expected, b);
}

/* Only plain decimal notation: strtod alone would also take hexadecimal
 * ("0x1p3"), which no format here uses and which hides typos. */
static int is_decimal(const char *s, size_t n) {
  size_t k = 0, digits = 0;
  if (k < n && (s[k] == '+' || s[k] == '-')) k++;
  while (k < n && s[k] >= '0' && s[k] <= '9') k++, digits++;
  if (k < n && s[k] == '.') {
    k++;
    while (k < n && s[k] >= '0' && s[k] <= '9') k++, digits++;
  }
  if (!digits) return 0;
  if (k < n && (s[k] == 'e' || s[k] == 'E')) {
    size_t exp_digits = 0;
    k++;
    if (k < n && (s[k] == '+' || s[k] == '-')) k++;
    while (k < n && s[k] >= '0' && s[k] <= '9') k++, exp_digits++;
    if (!exp_digits) return 0;
  }
  return k == n;
}

int vmp__tok_num(vmp__tok *t, const char *what, double *v) {
  char buf[TOKEN_MAX + 1], *endp;
  const char *s;
  size_t n;
  double d;
  int rc;
  if ((rc = next_token(t, what, &s, &n))) return rc;
  if (is_nonfinite_word(s, n))
    return bad_token(t, VMP_ERANGE, what, "a finite number", s, n);
  if (n > TOKEN_MAX || !is_decimal(s, n))
    return bad_token(t, VMP_EPARSE, what, "a number", s, n);
  memcpy(buf, s, n);
  buf[n] = '\0';
  {
    /* strtod follows LC_NUMERIC, and the host program may have set a
     * locale whose decimal point is ','. */
    char *dot = memchr(buf, '.', n);
    const char *dp = localeconv()->decimal_point;
    if (dot && dp && dp[0] && dp[0] != '.' && !dp[1]) *dot = dp[0];
  }
  errno = 0;
  d = strtod(buf, &endp);
  if (*endp != '\0')
    return bad_token(t, VMP_EPARSE, what, "a number", s, n);
  if (!isfinite(d))
    return bad_token(t, VMP_ERANGE, what, "a finite number", s, n);
  *v = d;
  return 0;
}

int vmp__tok_int(vmp__tok *t, const char *what, long long min, long long max,
                 long long *v) {
  const char *s;
  size_t n, k = 0;
  unsigned long long mag = 0, limit;
  int neg = 0, rc;
  if ((rc = next_token(t, what, &s, &n))) return rc;
  if (is_nonfinite_word(s, n))
    return bad_token(t, VMP_ERANGE, what, "a finite integer", s, n);
  if (k < n && (s[k] == '+' || s[k] == '-')) neg = s[k++] == '-';
  if (k == n) return bad_token(t, VMP_EPARSE, what, "an integer", s, n);
  /* The magnitude of LLONG_MIN is one more than LLONG_MAX. */
  limit = neg ? (unsigned long long)LLONG_MAX + 1ULL
              : (unsigned long long)LLONG_MAX;
  for (; k < n; k++) {
    unsigned digit;
    if (s[k] < '0' || s[k] > '9')
      return bad_token(t, VMP_EPARSE, what, "an integer", s, n);
    digit = (unsigned)(s[k] - '0');
    if (mag > (limit - digit) / 10)
      return bad_token(t, VMP_ERANGE, what, "an integer that fits in 64 bits",
                       s, n);
    mag = mag * 10 + digit;
  }
  {
    long long x = neg ? (mag > (unsigned long long)LLONG_MAX
                             ? LLONG_MIN
                             : -(long long)mag)
                      : (long long)mag;
    if (x < min || x > max) {
      if (max == LLONG_MAX)
        return vmp__error(VMP_ERANGE, "%s: line %zu: %s: expected an integer "
                          ">= %lld, got %lld", t->origin, t->line, what, min,
                          x);
      return vmp__error(VMP_ERANGE, "%s: line %zu: %s: expected an integer "
                        "in %lld..%lld, got %lld", t->origin, t->line, what,
                        min, max, x);
    }
    *v = x;
  }
  return 0;
}

int vmp__tok_end(vmp__tok *t) {
  const char *s;
  size_t n;
  char b[SHOW_MAX + 4];
  skip_space(t);
  if (t->p >= t->end) return 0;
  s = t->p;
  for (n = 0; s + n < t->end && !is_space(s[n]); n++) continue;
  vmp__snip(b, SHOW_MAX, s, n);
  return vmp__error(VMP_EPARSE, "%s: line %zu: unexpected text after the "
                    "last item: \"%s\"", t->origin, t->line, b);
}

int vmp__blank(const char *data, size_t len) {
  for (size_t k = 0; k < len; k++) {
    char c = data[k];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\v' &&
        c != '\f')
      return 0;
  }
  return 1;
}

int vmp__tok_count(vmp__tok *t, const char *what, size_t per, long long *n) {
  size_t room;
  int rc = vmp__tok_int(t, what, 0, LLONG_MAX, n);
  if (rc) return rc;
  room = (size_t)(t->end - t->p) / (2 * per);
  if ((unsigned long long)*n > room)
    return vmp__error(VMP_ERANGE, "%s: line %zu: %s: %lld is more than the "
                      "rest of the input can hold", t->origin, t->line, what,
                      *n);
  return 0;
}

int vmp__tok_size(vmp__tok *t, const char *what, double *v) {
  char b[32];
  int rc = vmp__tok_num(t, what, v);
  if (rc) return rc;
  if (*v < 0)
    return vmp__error(VMP_ERANGE, "%s: line %zu: %s: expected a number >= 0, "
                      "got %s", t->origin, t->line, what, vmp__fmt_num(b, *v));
  return 0;
}

int vmp__tok_copies(vmp__tok *t, long long item, long long *copies,
                    long long *total) {
  char what[64];
  int rc;
  snprintf(what, sizeof what, "copies of item %lld", item + 1);
  if ((rc = vmp__tok_int(t, what, 0, VMP__TEXT_MAX_COPIES, copies))) return rc;
  *total += *copies;
  if (*total > VMP__TEXT_MAX_COPIES)
    return vmp__error(VMP_ERANGE, "%s: line %zu: more than %d item copies "
                      "in all are not supported", t->origin, t->line,
                      VMP__TEXT_MAX_COPIES);
  return 0;
}

int vmp__text_add_dims(vmp_problem *p, long long d, const char *origin) {
  char name[32];
  int rc;
  for (long long r = 0; r < d; r++) {
    snprintf(name, sizeof name, "d%lld", r + 1);
    if ((rc = vmp_problem_add_resource(p, name, NULL)))
      return vmp__error_prefix(rc, "%s: line 1", origin);
  }
  return 0;
}

int vmp__text_add_items(vmp_problem *p, long long m, long long d,
                        const double *size, const long long *copies,
                        const size_t *line, const char *origin) {
  char name[64];
  int rc;
  for (long long k = 0; k < m; k++) {
    for (long long c = 0; c < copies[k]; c++) {
      if (copies[k] == 1)
        snprintf(name, sizeof name, "i%lld", k + 1);
      else
        snprintf(name, sizeof name, "i%lld_%lld", k + 1, c + 1);
      if ((rc = vmp_problem_add_vm(p, name, size + k * d, NULL)))
        return vmp__error_prefix(rc, "%s: line %zu", origin, line[k]);
    }
  }
  return 0;
}

int vmp__read_text(const vmp__text_format *fmt, const char *data, size_t len,
                   const char *origin, vmp_problem **out) {
  void *state;
  vmp__tok t;
  vmp_problem *p = NULL;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!origin) origin = "<input>";
  if (!data || vmp__blank(data, len))
    return vmp__error(VMP_EPARSE, "%s: empty input", origin);
  if (!(state = calloc(1, fmt->state_size))) return vmp__enomem();
  vmp__tok_init(&t, data, len, origin);
  if (!(rc = fmt->parse(&t, state)) && !(rc = vmp_problem_new(&p)))
    rc = fmt->build(state, origin, p);
  fmt->release(state);
  free(state);
  if (rc) {
    vmp_problem_free(p);
    return rc;
  }
  *out = p;
  return 0;
}
