/*
 * Small shared helpers: checked allocation, the monotonic clock, string
 * buffers, number formatting, hashing and random numbers.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* ---- allocation ------------------------------------------------------------ */

size_t vmp__mul(size_t n, size_t size) {
  if (size && n > SIZE_MAX / size) return 0;
  return n * size;
}

void *vmp__malloc(size_t size) { return malloc(size ? size : 1); }

void *vmp__calloc(size_t n, size_t size) {
  if (n == 0 || size == 0) return calloc(1, 1);
  return calloc(n, size);
}

void *vmp__realloc(void *p, size_t size) { return realloc(p, size ? size : 1); }

int vmp__grow(void *arr, size_t *cap, size_t need, size_t elem) {
  void **a = (void **)arr;
  size_t ncap, bytes;
  void *q;
  if (need <= *cap) return 0;
  ncap = *cap ? *cap : 8;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2) return vmp__enomem();
    ncap *= 2;
  }
  bytes = vmp__mul(ncap, elem);
  if (!bytes) return vmp__enomem();
  q = realloc(*a, bytes);
  if (!q) return vmp__enomem();
  *a = q;
  *cap = ncap;
  return 0;
}

void vmp__free_n(void *const *ptrs, size_t n) {
  for (size_t k = 0; k < n; k++) free(ptrs[k]);
}

char *vmp__strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

/* ---- time ------------------------------------------------------------------- */

double vmp__now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- buffers ------------------------------------------------------------------ */

void vmp__buf_init(vmp__buf *b) { memset(b, 0, sizeof *b); }

void vmp__buf_free(vmp__buf *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

static int buf_reserve(vmp__buf *b, size_t extra) {
  size_t need;
  if (b->oom) return -1;
  if (extra > SIZE_MAX - b->len - 1) {
    b->oom = 1;
    return -1;
  }
  need = b->len + extra + 1;
  if (need > b->cap) {
    size_t ncap = b->cap ? b->cap : 64;
    char *q;
    while (ncap < need) ncap *= 2;
    q = realloc(b->data, ncap);
    if (!q) {
      b->oom = 1;
      return -1;
    }
    b->data = q;
    b->cap = ncap;
  }
  return 0;
}

void vmp__buf_add(vmp__buf *b, const char *s, size_t n) {
  if (buf_reserve(b, n)) return;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void vmp__buf_puts(vmp__buf *b, const char *s) { vmp__buf_add(b, s, strlen(s)); }

void vmp__buf_vprintf(vmp__buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  int n;
  va_copy(ap2, ap);
  n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0 || buf_reserve(b, (size_t)n)) {
    b->oom = 1;
    return;
  }
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void vmp__buf_printf(vmp__buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmp__buf_vprintf(b, fmt, ap);
  va_end(ap);
}

char *vmp__buf_take(vmp__buf *b) {
  char *d;
  if (b->oom) {
    vmp__buf_free(b);
    return NULL;
  }
  if (!b->data) {
    d = malloc(1);
    if (d) d[0] = '\0';
    return d;
  }
  d = b->data;
  memset(b, 0, sizeof *b);
  return d;
}

char *vmp__vstrfmt(const char *fmt, va_list ap) {
  vmp__buf b;
  vmp__buf_init(&b);
  vmp__buf_vprintf(&b, fmt, ap);
  return vmp__buf_take(&b);
}

const char *vmp__printable(char *buf, size_t n, const char *s) {
  size_t k = 0, o = 0;
  const unsigned char *u = (const unsigned char *)s;
  while (u[k] >= 0x20 && u[k] != 0x7f && u[k] != '"' && u[k] != '\\') k++;
  if (!u[k]) return s;
  if (n < 8) return "\"...\"";
  buf[o++] = '"';
  for (k = 0; u[k] && o + 6 < n; k++) {
    switch (u[k]) {
      case '"': o += (size_t)snprintf(buf + o, n - o, "\\\""); break;
      case '\\': o += (size_t)snprintf(buf + o, n - o, "\\\\"); break;
      case '\n': o += (size_t)snprintf(buf + o, n - o, "\\n"); break;
      case '\t': o += (size_t)snprintf(buf + o, n - o, "\\t"); break;
      default:
        if (u[k] < 0x20 || u[k] == 0x7f)
          o += (size_t)snprintf(buf + o, n - o, "\\x%02x", u[k]);
        else
          buf[o++] = (char)u[k];
    }
  }
  buf[o++] = '"';
  buf[o] = '\0';
  return buf;
}

const char *vmp__fmt_num(char buf[32], double v) {
  if (isnan(v)) return strcpy(buf, "nan");
  if (isinf(v)) return strcpy(buf, v > 0 ? "inf" : "-inf");
  if (v == floor(v) && fabs(v) < 1e15) {
    snprintf(buf, 32, "%.0f", v);
    return buf;
  }
  for (int prec = 6; prec <= 17; prec++) {
    snprintf(buf, 32, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) break;
  }
  return buf;
}

const char *vmp__snip(char *out, size_t max, const char *s, size_t n) {
  size_t k, m = n < max ? n : max;
  for (k = 0; k < m; k++) {
    unsigned char c = (unsigned char)s[k];
    out[k] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
  }
  if (n > m) {
    memcpy(out + k, "...", 3);
    k += 3;
  }
  out[k] = '\0';
  return out;
}


/* ---- hashing ------------------------------------------------------------------- */

uint64_t vmp__hash_bytes(const void *data, size_t n, uint64_t seed) {
  /* FNV-1a with a final avalanche (splitmix64 finaliser). */
  const unsigned char *p = data;
  uint64_t h = 1469598103934665603ULL ^ seed;
  for (size_t k = 0; k < n; k++) {
    h ^= p[k];
    h *= 1099511628211ULL;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

uint64_t vmp__hash_str(const char *s) {
  return vmp__hash_bytes(s, strlen(s), 0);
}

/* ---- random numbers ---------------------------------------------------------------- */

/* The sequence is part of the project's reproducibility: solvers' seeds and
 * every problem bench/generator.c draws depend on it, so it never changes. */

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void vmp__rng_seed(vmp__rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int k = 0; k < 4; k++) r->s[k] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

uint64_t vmp__rng_next(vmp__rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

uint64_t vmp__rng_below(vmp__rng *r, uint64_t n) {
  /* Lemire's nearly divisionless method would be faster; rejection keeps
   * it simple and unbiased. */
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = vmp__rng_next(r);
  while (x >= limit);
  return x % n;
}

double vmp__rng_unit(vmp__rng *r) {
  return (double)(vmp__rng_next(r) >> 11) * 0x1.0p-53;
}

/* ---- sorting indices by a key ---------------------------------------------------- */

int vmp__keyed_asc(const void *a, const void *b) {
  const vmp__keyed *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->i > y->i) - (x->i < y->i);
}

int vmp__keyed_desc(const void *a, const void *b) {
  const vmp__keyed *x = a, *y = b;
  if (x->key != y->key) return x->key > y->key ? -1 : 1;
  return (x->i > y->i) - (x->i < y->i);
}
