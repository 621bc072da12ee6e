/*
 * Usage histories: the object, its builder API, and the CSV and JSON
 * readers (docs/forecast.md, "History formats").
 *
 * The readers append samples as they come and sort each series once at the
 * end, so interleaved or unsorted input costs O(n log n).  Each sample
 * remembers where it came from until then, so that a conflicting duplicate
 * is reported with both of its lines.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "json_util.h"
#include "readers.h"
#include "timestamp.h"

/* How much of a bad field a message shows. */
#define SHOW_MAX 40

/* ---- the object ------------------------------------------------------------ */

int vmp_history_new(vmp_history **out) {
  vmp_history *h;
  if (!out) return vmp__error(VMP_EINVAL, "vmp_history_new: out is NULL");
  *out = NULL;
  if (!(h = vmp__calloc(1, sizeof *h))) return vmp__enomem();
  if (vmp__pool_init(&h->pool)) {
    free(h);
    return vmp__enomem();
  }
  vmp__strmap_init(&h->index);
  *out = h;
  return 0;
}

static void free_src(vmp_history *h) {
  for (size_t k = 0; k < h->nseries; k++) {
    free(h->series[k].src);
    h->series[k].src = NULL;
  }
}

void vmp_history_free(vmp_history *h) {
  if (!h) return;
  for (size_t k = 0; k < h->nseries; k++) {
    free(h->series[k].t);
    free(h->series[k].v);
    free(h->series[k].src);
  }
  free(h->series);
  vmp__strmap_free(&h->index);
  vmp__pool_free(&h->pool);
  free(h);
}

/* 1 when s[0..n) is UTF-8: no stray continuation bytes, no overlong
 * forms, no surrogates, nothing above U+10FFFF. */
static int valid_utf8(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t k = 0;
  while (k < n) {
    unsigned c = s[k], len, cp;
    if (c < 0x80) {
      k++;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
    else return 0;
    if (k + len > n) return 0;
    for (unsigned j = 1; j < len; j++) {
      if ((s[k + j] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[k + j] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      return 0;
    k += len;
  }
  return 1;
}

/* Why s[0..n) cannot be a VM name, or NULL when it can.  Names are UTF-8,
 * as in problem JSON, so that they can match a problem's and be written
 * back as JSON. */
static const char *vm_name_problem(const char *s, size_t n) {
  if (!n) return "expected a name, got nothing";
  if (memchr(s, '\0', n)) return "name contains a NUL byte";
  if (n > VMP__MAX_NAME) return "name longer than 4096 bytes";
  if (!valid_utf8(s, n)) return "name is not valid UTF-8";
  return NULL;
}

/* Why s[0..n) cannot be a resource name, or NULL.  Resources are named as
 * in problems, so that a history can be matched with one. */
static const char *resource_name_problem(const char *s, size_t n) {
  if (!n) return "expected a name, got nothing";
  if (n > 64) return "not a resource name (longer than 64 bytes)";
  for (size_t k = 0; k < n; k++) {
    char c = s[k];
    int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (!alpha && (k == 0 || c < '0' || c > '9'))
      return "not a resource name ([A-Za-z_][A-Za-z0-9_]*)";
  }
  return NULL;
}

int vmp__history_check_names(const char *vm, const char *resource) {
  const char *why;
  if ((why = vm_name_problem(vm ? vm : "", vm ? strlen(vm) : 0)))
    return vmp__error(VMP_EINVAL, "vm: %s", why);
  if ((why = resource_name_problem(resource ? resource : "",
                                   resource ? strlen(resource) : 0)))
    return vmp__error(VMP_EINVAL, "resource: \"%.64s\" is %s", resource ? resource : "",
                      why);
  return 0;
}

/* The map key of a series: the VM's length first, so that no VM and
 * resource pair can spell another pair's key. */
static int series_key(char *buf, size_t size, const char *vm,
                      const char *resource) {
  int n = snprintf(buf, size, "%zu:%s%s", strlen(vm), vm, resource);
  return n < 0 || (size_t)n >= size ? -1 : 0;
}

#define KEY_MAX (VMP__MAX_NAME + 96)

static int find_series(const vmp_history *h, const char *vm,
                       const char *resource, size_t *k) {
  char key[KEY_MAX];
  uint32_t idx;
  if (series_key(key, sizeof key, vm, resource) ||
      !vmp__strmap_get(&h->index, key, &idx))
    return VMP_ENOTFOUND;
  *k = idx;
  return 0;
}

/* Finds or creates the series of (vm, resource); names already checked. */
static int get_series(vmp_history *h, const char *vm, const char *resource,
                      size_t *k) {
  char key[KEY_MAX];
  uint32_t kid, vid, rid;
  vmp__series *s;
  int rc;
  if (find_series(h, vm, resource, k) == 0) return 0;
  if (h->nseries >= UINT32_MAX - 1)
    return vmp__error(VMP_ERANGE, "more than %u series", UINT32_MAX - 1);
  if (series_key(key, sizeof key, vm, resource))
    return vmp__error(VMP_EINVAL, "vm: name too long");
  if ((rc = vmp__grow(&h->series, &h->cap, h->nseries + 1, sizeof *h->series)) ||
      (rc = vmp__pool_intern(&h->pool, key, &kid)) ||
      (rc = vmp__pool_intern(&h->pool, vm, &vid)) ||
      (rc = vmp__pool_intern(&h->pool, resource, &rid)) ||
      (rc = vmp__strmap_put(&h->index, vmp__pool_str(&h->pool, kid),
                            (uint32_t)h->nseries)))
    return vmp__enomem();
  s = &h->series[h->nseries];
  memset(s, 0, sizeof *s);
  s->vm = vid;
  s->resource = rid;
  *k = h->nseries++;
  return 0;
}

/* Makes room for one more sample (and its source when with_src). */
static int reserve_sample(vmp__series *s, int with_src) {
  size_t ncap;
  int64_t *t;
  double *v;
  if (s->n < s->cap) return 0;
  ncap = s->cap ? s->cap * 2 : 16;
  if (ncap > SIZE_MAX / sizeof(int64_t)) return vmp__enomem();
  if (!(t = realloc(s->t, ncap * sizeof *t))) return vmp__enomem();
  s->t = t;
  if (!(v = realloc(s->v, ncap * sizeof *v))) return vmp__enomem();
  s->v = v;
  if (with_src || s->src) {
    uint32_t *src = realloc(s->src, ncap * sizeof *src);
    if (!src) return vmp__enomem();
    s->src = src;
  }
  s->cap = ncap;
  return 0;
}

static int check_sample(int64_t timestamp, double value) {
  char b[32];
  if (timestamp > VMP__TIME_MAX || timestamp < -VMP__TIME_MAX)
    return vmp__error(VMP_ERANGE, "timestamp: %lld is out of range (|t| <= "
                      "10^11 Unix seconds)", (long long)timestamp);
  if (!isfinite(value) || value < 0)
    return vmp__error(VMP_ERANGE, "value: expected a finite number >= 0, got %s",
                      vmp__fmt_num(b, value));
  return 0;
}

int vmp_history_add(vmp_history *h, const char *vm, const char *resource,
                    int64_t timestamp, double value) {
  vmp__series *s;
  size_t k, lo, hi;
  int rc;
  if (!h) return vmp__error(VMP_EINVAL, "vmp_history_add: history is NULL");
  if ((rc = vmp__history_check_names(vm, resource)) ||
      (rc = check_sample(timestamp, value)) ||
      (rc = get_series(h, vm, resource, &k)))
    return rc;
  s = &h->series[k];
  /* Binary search for the first sample at or after the timestamp; the
   * common case, a later sample, skips it. */
  lo = s->n;
  if (s->n && timestamp <= s->t[s->n - 1]) {
    lo = 0;
    hi = s->n;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (s->t[mid] < timestamp) lo = mid + 1;
      else hi = mid;
    }
    if (s->t[lo] == timestamp) {
      char b1[32], b2[32], b3[32];
      if (s->v[lo] == value) return 0;
      return vmp__error(VMP_EEXIST, "%s/%s: timestamp %s already has the value "
                        "%s, not %s", vm, resource, vmp__time_format(b1, timestamp),
                        vmp__fmt_num(b2, s->v[lo]), vmp__fmt_num(b3, value));
    }
  }
  if ((rc = reserve_sample(s, 0))) return rc;
  memmove(s->t + lo + 1, s->t + lo, (s->n - lo) * sizeof *s->t);
  memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof *s->v);
  s->t[lo] = timestamp;
  s->v[lo] = value;
  s->n++;
  return 0;
}

/* ---- accessors --------------------------------------------------------------- */

size_t vmp_history_num_series(const vmp_history *h) { return h ? h->nseries : 0; }

const char *vmp_history_series_vm(const vmp_history *h, size_t k) {
  return h && k < h->nseries ? vmp__pool_str(&h->pool, h->series[k].vm) : NULL;
}

const char *vmp_history_series_resource(const vmp_history *h, size_t k) {
  return h && k < h->nseries ? vmp__pool_str(&h->pool, h->series[k].resource)
                             : NULL;
}

size_t vmp_history_series_len(const vmp_history *h, size_t k) {
  return h && k < h->nseries ? h->series[k].n : 0;
}

int vmp_history_series_point_at(const vmp_history *h, size_t k, size_t i,
                             int64_t *timestamp, double *value) {
  if (!h || k >= h->nseries || i >= h->series[k].n)
    return vmp__error(VMP_EINVAL, "vmp_history_series_point_at: index out of range");
  if (timestamp) *timestamp = h->series[k].t[i];
  if (value) *value = h->series[k].v[i];
  return 0;
}

int64_t vmp_history_series_step(const vmp_history *h, size_t k) {
  if (!h || k >= h->nseries) return 0;
  return vmp__series_step(h->series[k].t, h->series[k].n);
}

int vmp_history_find(const vmp_history *h, const char *vm, const char *resource,
                     size_t *k) {
  size_t idx;
  if (!h || !vm || !resource)
    return vmp__error(VMP_EINVAL, "vmp_history_find: NULL argument");
  if (find_series(h, vm, resource, &idx))
    return vmp__error(VMP_ENOTFOUND, "no series for VM \"%s\" and resource \"%s\"",
                      vm, resource);
  if (k) *k = idx;
  return 0;
}

/* ---- steps and lookups --------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

int64_t vmp__series_step(const int64_t *t, size_t n) {
  int64_t *d, step;
  size_t m = 0;
  if (n < 2) return 0;
  /* Regular series (the usual case) need no sort. */
  {
    int64_t first = t[1] - t[0];
    size_t k;
    for (k = 2; k < n && t[k] - t[k - 1] == first; k++) continue;
    if (k == n) return first;
  }
  if (!(d = malloc((n - 1) * sizeof *d))) {
    /* No memory for the median: the mean step is a usable stand-in. */
    return (t[n - 1] - t[0]) / (int64_t)(n - 1);
  }
  for (size_t k = 1; k < n; k++)
    if (t[k] > t[k - 1]) d[m++] = t[k] - t[k - 1];
  qsort(d, m, sizeof *d, cmp_i64);
  step = m ? d[m / 2] : 0;
  free(d);
  return step;
}

size_t vmp__series_near(const int64_t *t, size_t n, int64_t at, int64_t tol) {
  size_t lo = 0, hi = n, best = VMP_NONE;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t[mid] < at) lo = mid + 1;
    else hi = mid;
  }
  /* t[lo] is the first sample at or after `at`; t[lo - 1] the last before. */
  if (lo < n && t[lo] - at <= tol) best = lo;
  if (lo > 0 && at - t[lo - 1] <= tol &&
      (best == VMP_NONE || at - t[lo - 1] < t[lo] - at))
    best = lo - 1;
  return best;
}

/* ---- shared by the readers ---------------------------------------------------------- */

typedef struct reader {
  vmp_history *h;
  const char *origin;
  int json;
  size_t *entry;          /* JSON: the series[] entry of each series */
  size_t entry_cap;
} reader;

/* Where a sample came from, as messages name it. */
static void where(const reader *r, size_t series, uint32_t src, char *buf,
                  size_t size) {
  if (r->json)
    snprintf(buf, size, "series[%zu].points[%u]", r->entry[series], src);
  else
    snprintf(buf, size, "line %u", src);
}

typedef struct sample {
  int64_t t;
  double v;
  uint32_t src;
} sample;

static int cmp_sample(const void *a, const void *b) {
  const sample *x = a, *y = b;
  if (x->t != y->t) return (x->t > y->t) - (x->t < y->t);
  return (x->src > y->src) - (x->src < y->src);
}

/* Sorts series k by time and removes exact repeats; a timestamp with two
 * values is an error naming both places. */
static int finish_series(reader *r, size_t k) {
  vmp__series *s = &r->h->series[k];
  size_t m = 0;
  int sorted = 1;
  for (size_t i = 1; i < s->n && sorted; i++) sorted = s->t[i] > s->t[i - 1];
  if (!sorted) {
    size_t bytes = vmp__mul(s->n, sizeof(sample));
    sample *tmp = bytes ? malloc(bytes) : NULL;
    if (!tmp) return vmp__enomem();
    for (size_t i = 0; i < s->n; i++) tmp[i] = (sample){s->t[i], s->v[i], s->src[i]};
    qsort(tmp, s->n, sizeof *tmp, cmp_sample);
    for (size_t i = 0; i < s->n; i++) {
      if (m && tmp[i].t == s->t[m - 1]) {
        char w1[64], w2[64], b1[32], b2[32], b3[32];
        if (tmp[i].v == s->v[m - 1]) continue;
        where(r, k, tmp[i].src, w1, sizeof w1);
        where(r, k, s->src[m - 1], w2, sizeof w2);
        vmp__error(VMP_EPARSE, "%s: %s: %s/%s: timestamp %s repeats %s with "
                   "another value (%s, was %s)", r->origin, w1,
                   vmp__pool_str(&r->h->pool, s->vm),
                   vmp__pool_str(&r->h->pool, s->resource),
                   vmp__time_format(b1, tmp[i].t), w2, vmp__fmt_num(b2, tmp[i].v),
                   vmp__fmt_num(b3, s->v[m - 1]));
        free(tmp);
        return VMP_EPARSE;
      }
      s->t[m] = tmp[i].t;
      s->v[m] = tmp[i].v;
      s->src[m] = tmp[i].src;
      m++;
    }
    s->n = m;
    free(tmp);
  }
  return 0;
}

static int finish(reader *r) {
  size_t total = 0;
  int rc;
  for (size_t k = 0; k < r->h->nseries; k++) {
    if ((rc = finish_series(r, k))) return rc;
    total += r->h->series[k].n;
  }
  free_src(r->h);
  if (!total)
    return vmp__error(VMP_EPARSE, "%s: no samples (expected %s)", r->origin,
                      r->json ? "{\"version\": 1, \"series\": [...]}"
                              : "lines timestamp,vm,resource,value");
  return 0;
}

/* Appends a checked sample to series k. */
static int append(reader *r, size_t k, int64_t t, double v, uint32_t src) {
  vmp__series *s = &r->h->series[k];
  int rc;
  if ((rc = reserve_sample(s, 1))) return rc;
  s->t[s->n] = t;
  s->v[s->n] = v;
  s->src[s->n] = src;
  s->n++;
  return 0;
}

/* ---- CSV ----------------------------------------------------------------------------- */

enum { COL_TIME, COL_VM, COL_RESOURCE, COL_VALUE, NCOLS };
static const char *const col_names[NCOLS] = {"timestamp", "vm", "resource", "value"};

/* Fields kept per record; a record with more is reported, not stored. */
#define MAX_FIELDS 8

typedef struct csv {
  reader r;
  const char *p, *end;
  size_t line;            /* current line */
  size_t rec_line;        /* first line of the record just read */
  vmp__buf text;          /* the record's fields, unquoted, NUL-separated */
  size_t off[MAX_FIELDS], len[MAX_FIELDS];
  size_t nf;
  int col[NCOLS];         /* field index of each column */
} csv;

static int csv_fail(const csv *c, int code, const char *field, const char *fmt,
                    ...) VMP__PRINTF(4, 5);
static int csv_fail(const csv *c, int code, const char *field, const char *fmt,
                    ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (field)
    return vmp__error(code, "%s: line %zu: %s: %s", c->r.origin, c->rec_line,
                      field, msg);
  return vmp__error(code, "%s: line %zu: %s", c->r.origin, c->rec_line, msg);
}

static int is_blank(char ch) { return ch == ' ' || ch == '\t'; }

/* Ends a field: stores it (when there is room) and NUL-terminates it. */
static void end_field(csv *c, size_t start) {
  if (c->nf < MAX_FIELDS) {
    c->off[c->nf] = start;
    c->len[c->nf] = c->text.len - start;
  }
  c->nf++;
  vmp__buf_add(&c->text, "", 1);
}

/* Reads one quoted field's content after its opening quote. */
static int read_quoted(csv *c) {
  for (;;) {
    const char *q;
    if (c->p >= c->end)
      return csv_fail(c, VMP_EPARSE, NULL, "field %zu: unterminated quoted field",
                      c->nf + 1);
    q = c->p;
    while (q < c->end && *q != '"') {
      if (*q == '\n') c->line++;
      q++;
    }
    vmp__buf_add(&c->text, c->p, (size_t)(q - c->p));
    c->p = q;
    if (q >= c->end) continue;
    c->p++;
    if (c->p < c->end && *c->p == '"') {
      /* "" inside quotes is one quote */
      vmp__buf_add(&c->text, "\"", 1);
      c->p++;
      continue;
    }
    return 0;
  }
}

/* Reads the next record into c->text / off / len / nf.  Returns 1 when a
 * record was read, 0 at the end of the input, or a negative error. */
static int csv_record(csv *c) {
  /* skip blank lines and # comments */
  for (;;) {
    const char *q = c->p, *eol;
    if (q >= c->end) return 0;
    while (q < c->end && (is_blank(*q) || *q == '\r')) q++;
    if (q < c->end && *q != '\n' && *q != '#') break;
    eol = memchr(q, '\n', (size_t)(c->end - q));
    c->p = eol ? eol + 1 : c->end;
    c->line += eol != NULL;
  }
  c->rec_line = c->line;
  c->text.len = 0;
  c->nf = 0;
  for (;;) {
    size_t start = c->text.len;
    int rc;
    while (c->p < c->end && is_blank(*c->p)) c->p++;
    if (c->p < c->end && *c->p == '"') {
      c->p++;
      if ((rc = read_quoted(c))) return rc;
      while (c->p < c->end && (is_blank(*c->p) || *c->p == '\r')) c->p++;
      if (c->p < c->end && *c->p != ',' && *c->p != '\n')
        return csv_fail(c, VMP_EPARSE, NULL, "field %zu: unexpected text after "
                        "a closing quote", c->nf + 1);
    } else {
      const char *b = c->p, *e;
      while (c->p < c->end && *c->p != ',' && *c->p != '\n') c->p++;
      e = c->p;
      while (e > b && (is_blank(e[-1]) || e[-1] == '\r')) e--;
      vmp__buf_add(&c->text, b, (size_t)(e - b));
    }
    end_field(c, start);
    if (c->text.oom) return vmp__enomem();
    if (c->p >= c->end) return 1;
    if (*c->p++ == '\n') {
      c->line++;
      return 1;
    }
  }
}

static const char *field(const csv *c, int col, size_t *n) {
  size_t f = (size_t)c->col[col];
  *n = c->len[f];
  return c->text.data + c->off[f];
}

static int ieq(const char *a, size_t n, const char *b) {
  size_t k;
  for (k = 0; k < n && b[k]; k++) {
    char x = a[k], y = b[k];
    if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
    if (x != y) return 0;
  }
  return k == n && !b[k];
}

/* 1 when the record is a header (some field is "timestamp"), after mapping
 * its columns; 0 when it is data; negative on a bad header. */
static int csv_header(csv *c) {
  int seen[NCOLS] = {0}, is_header = 0;
  for (size_t f = 0; f < c->nf && f < MAX_FIELDS; f++)
    if (ieq(c->text.data + c->off[f], c->len[f], "timestamp")) is_header = 1;
  if (!is_header) return 0;
  if (c->nf != NCOLS)
    return csv_fail(c, VMP_EPARSE, "header", "expected the 4 columns timestamp, "
                    "vm, resource, value, got %zu", c->nf);
  for (size_t f = 0; f < NCOLS; f++) {
    int col = -1;
    char b[SHOW_MAX + 4];
    for (int k = 0; k < NCOLS; k++)
      if (ieq(c->text.data + c->off[f], c->len[f], col_names[k])) col = k;
    if (col < 0)
      return csv_fail(c, VMP_EPARSE, "header", "unknown column \"%s\" (expected "
                      "timestamp, vm, resource, value)",
                      vmp__snip(b, SHOW_MAX, c->text.data + c->off[f], c->len[f]));
    if (seen[col]++)
      return csv_fail(c, VMP_EPARSE, "header", "column \"%s\" appears twice",
                      col_names[col]);
    c->col[col] = (int)f;
  }
  return 1;
}

static int csv_name(const csv *c, int col, const char **out) {
  size_t n;
  const char *s = field(c, col, &n), *why;
  char b[SHOW_MAX + 4];
  why = col == COL_VM ? vm_name_problem(s, n) : resource_name_problem(s, n);
  if (why && col == COL_RESOURCE && n)
    return csv_fail(c, VMP_EPARSE, col_names[col], "\"%s\" is %s",
                    vmp__snip(b, SHOW_MAX, s, n), why);
  if (why) return csv_fail(c, VMP_EPARSE, col_names[col], "%s", why);
  *out = s;
  return 0;
}

static int csv_sample(csv *c) {
  const char *vm, *resource, *ts, *val, *why;
  size_t nt, nv, k;
  int64_t t;
  double v;
  char b[SHOW_MAX + 4];
  int rc;
  if (c->nf != NCOLS)
    return csv_fail(c, VMP_EPARSE, NULL, "expected 4 fields (timestamp,vm,"
                    "resource,value), got %zu", c->nf);
  ts = field(c, COL_TIME, &nt);
  val = field(c, COL_VALUE, &nv);
  if (vmp__time_parse(ts, nt, &t, &why))
    return csv_fail(c, nt && !vmp__parse_decimal(ts, nt, &v) ? VMP_ERANGE
                                                              : VMP_EPARSE,
                    "timestamp", "%s, got \"%s\"", why, vmp__snip(b, SHOW_MAX, ts, nt));
  if (vmp__parse_decimal(val, nv, &v))
    return csv_fail(c, ieq(val, nv, "nan") || ieq(val, nv, "inf") ||
                               ieq(val, nv, "-inf") || ieq(val, nv, "+inf") ||
                               ieq(val, nv, "infinity")
                           ? VMP_ERANGE : VMP_EPARSE,
                    "value", "expected a finite number >= 0, got \"%s\"",
                    vmp__snip(b, SHOW_MAX, val, nv));
  if (!isfinite(v) || v < 0)
    return csv_fail(c, VMP_ERANGE, "value", "expected a finite number >= 0, got "
                    "\"%s\"", vmp__snip(b, SHOW_MAX, val, nv));
  if ((rc = csv_name(c, COL_VM, &vm)) || (rc = csv_name(c, COL_RESOURCE, &resource)))
    return rc;
  if (c->rec_line > UINT32_MAX)
    return csv_fail(c, VMP_ERANGE, NULL, "more than %u lines", UINT32_MAX);
  if ((rc = get_series(c->r.h, vm, resource, &k))) return rc;
  return append(&c->r, k, t, v, (uint32_t)c->rec_line);
}

static int read_csv(reader *r, const char *data, size_t len) {
  csv c;
  int rc, first = 1;
  memset(&c, 0, sizeof c);
  c.r = *r;
  c.p = data;
  c.end = data + len;
  c.line = 1;
  for (int k = 0; k < NCOLS; k++) c.col[k] = k;
  /* a UTF-8 byte order mark is not part of the first field */
  if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) c.p += 3;
  vmp__buf_init(&c.text);
  while ((rc = csv_record(&c)) == 1) {
    if (first) {
      first = 0;
      if ((rc = csv_header(&c)) < 0) break;
      if (rc == 1) continue;
    }
    if ((rc = csv_sample(&c))) break;
  }
  vmp__buf_free(&c.text);
  return rc;
}

/* ---- JSON ------------------------------------------------------------------------------- */

static int only_keys(const reader *r, json_t *obj, const char *path,
                     const char *const *allowed, const char *list) {
  const char *key;
  json_t *val;
  json_object_foreach(obj, key, val) {
    int ok = 0;
    (void)val;
    for (const char *const *a = allowed; *a; a++) ok |= !strcmp(*a, key);
    if (!ok)
      return vmp__json_fail(r->origin, VMP_EPARSE, path,
                            "unknown key \"%.64s\" (expected %s)", key, list);
  }
  return 0;
}

static int json_name(const reader *r, json_t *obj, const char *path,
                     const char *key, const char **out) {
  json_t *v = json_object_get(obj, key);
  const char *why;
  char sub[128], b[SHOW_MAX + 4];
  size_t n;
  snprintf(sub, sizeof sub, "%s.%s", path, key);
  if (!v) return vmp__json_fail(r->origin, VMP_EPARSE, path, "missing \"%s\"", key);
  if (!json_is_string(v))
    return vmp__json_fail(r->origin, VMP_EPARSE, sub, "expected a string, got %s",
                          vmp__json_type_name(v));
  *out = json_string_value(v);
  n = json_string_length(v);
  why = !strcmp(key, "vm") ? vm_name_problem(*out, n) : resource_name_problem(*out, n);
  if (why && strcmp(key, "vm") && n)
    return vmp__json_fail(r->origin, VMP_EPARSE, sub, "\"%s\" is %s",
                          vmp__snip(b, SHOW_MAX, *out, n), why);
  if (why) return vmp__json_fail(r->origin, VMP_EPARSE, sub, "%s", why);
  return 0;
}

static int json_time(const reader *r, json_t *v, const char *path, int64_t *t) {
  const char *why;
  char b[SHOW_MAX + 4];
  if (json_is_integer(v)) {
    json_int_t i = json_integer_value(v);
    if (i > VMP__TIME_MAX || i < -VMP__TIME_MAX)
      return vmp__json_fail(r->origin, VMP_ERANGE, path,
                            "%lld is out of range for Unix seconds%s", (long long)i,
                            i < 1000000000000000000LL && i > -1000000000000000000LL
                                ? " (milliseconds?)" : "");
    *t = (int64_t)i;
    return 0;
  }
  if (json_is_real(v)) {
    double d = json_real_value(v);
    if (!(fabs(d) <= (double)VMP__TIME_MAX))
      return vmp__json_fail(r->origin, VMP_ERANGE, path,
                            "%g is out of range for Unix seconds", d);
    *t = (int64_t)llround(d);
    return 0;
  }
  if (json_is_string(v)) {
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (vmp__time_parse(s, n, t, &why))
      return vmp__json_fail(r->origin, VMP_EPARSE, path, "%s, got \"%s\"", why,
                            vmp__snip(b, SHOW_MAX, s, n));
    return 0;
  }
  return vmp__json_fail(r->origin, VMP_EPARSE, path,
                        "expected Unix seconds or an ISO 8601 string, got %s",
                        vmp__json_type_name(v));
}

static int json_value(const reader *r, json_t *v, const char *path, double *out) {
  if (!json_is_number(v))
    return vmp__json_fail(r->origin, VMP_EPARSE, path,
                          "expected a finite number >= 0, got %s", vmp__json_type_name(v));
  *out = json_number_value(v);
  if (!isfinite(*out) || *out < 0)
    return vmp__json_fail(r->origin, VMP_ERANGE, path,
                          "expected a finite number >= 0, got %g", *out);
  return 0;
}

static int json_point(reader *r, json_t *pt, const char *path, size_t k,
                      size_t idx) {
  static const char *const keys[] = {"timestamp", "value", NULL};
  char sub[160];
  json_t *tv, *vv;
  int64_t t;
  double v;
  int rc;
  if (json_is_array(pt)) {
    if (json_array_size(pt) != 2)
      return vmp__json_fail(r->origin, VMP_EPARSE, path,
                            "expected [timestamp, value], got %zu elements",
                            json_array_size(pt));
    tv = json_array_get(pt, 0);
    vv = json_array_get(pt, 1);
    snprintf(sub, sizeof sub, "%s[0]", path);
    if ((rc = json_time(r, tv, sub, &t))) return rc;
    snprintf(sub, sizeof sub, "%s[1]", path);
    if ((rc = json_value(r, vv, sub, &v))) return rc;
  } else if (json_is_object(pt)) {
    if ((rc = only_keys(r, pt, path, keys, "timestamp, value"))) return rc;
    if (!(tv = json_object_get(pt, "timestamp")))
      return vmp__json_fail(r->origin, VMP_EPARSE, path, "missing \"timestamp\"");
    if (!(vv = json_object_get(pt, "value")))
      return vmp__json_fail(r->origin, VMP_EPARSE, path, "missing \"value\"");
    snprintf(sub, sizeof sub, "%s.timestamp", path);
    if ((rc = json_time(r, tv, sub, &t))) return rc;
    snprintf(sub, sizeof sub, "%s.value", path);
    if ((rc = json_value(r, vv, sub, &v))) return rc;
  } else {
    return vmp__json_fail(r->origin, VMP_EPARSE, path,
                          "expected [timestamp, value] or {\"timestamp\", \"value\"}, "
                          "got %s", vmp__json_type_name(pt));
  }
  if (idx > UINT32_MAX)
    return vmp__json_fail(r->origin, VMP_ERANGE, path, "too many points");
  return append(r, k, t, v, (uint32_t)idx);
}

static int json_entry(reader *r, json_t *e, size_t i) {
  static const char *const keys[] = {"vm", "resource", "points", NULL};
  char path[64], sub[128];
  const char *vm, *resource;
  json_t *pts, *pt;
  size_t k, before, j;
  int rc;
  snprintf(path, sizeof path, "series[%zu]", i);
  if (!json_is_object(e))
    return vmp__json_fail(r->origin, VMP_EPARSE, path, "expected an object, got %s",
                          vmp__json_type_name(e));
  if ((rc = only_keys(r, e, path, keys, "vm, resource, points")) ||
      (rc = json_name(r, e, path, "vm", &vm)) ||
      (rc = json_name(r, e, path, "resource", &resource)))
    return rc;
  if (!(pts = json_object_get(e, "points")))
    return vmp__json_fail(r->origin, VMP_EPARSE, path, "missing \"points\"");
  snprintf(sub, sizeof sub, "%s.points", path);
  if (!json_is_array(pts))
    return vmp__json_fail(r->origin, VMP_EPARSE, sub, "expected an array, got %s",
                          vmp__json_type_name(pts));
  if (!json_array_size(pts))
    return vmp__json_fail(r->origin, VMP_EPARSE, sub, "expected at least one point");
  before = r->h->nseries;
  if ((rc = get_series(r->h, vm, resource, &k))) return rc;
  if (k < before)
    return vmp__json_fail(r->origin, VMP_EPARSE, path,
                          "a second series for %s/%s (the first is series[%zu])", vm,
                          resource, r->entry[k]);
  if ((rc = vmp__grow(&r->entry, &r->entry_cap, k + 1, sizeof *r->entry))) return rc;
  r->entry[k] = i;
  json_array_foreach(pts, j, pt) {
    char ppath[160];
    snprintf(ppath, sizeof ppath, "%s[%zu]", sub, j);
    if ((rc = json_point(r, pt, ppath, k, j))) return rc;
  }
  return 0;
}

static int read_json(reader *r, const char *data, size_t len) {
  static const char *const keys[] = {"version", "series", NULL};
  json_error_t err;
  json_t *root, *ver, *arr, *e;
  size_t i;
  int rc = 0;
  r->json = 1;
  root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
  if (!root)
    return vmp__error(VMP_EPARSE, "%s: line %d column %d: %s", r->origin, err.line,
                      err.column, err.text);
  if (!json_is_object(root)) {
    rc = vmp__json_fail(r->origin, VMP_EPARSE, "(root)", "expected an object, got %s",
                        vmp__json_type_name(root));
    goto out;
  }
  if ((rc = only_keys(r, root, "(root)", keys, "version, series"))) goto out;
  ver = json_object_get(root, "version");
  if (ver && (!json_is_integer(ver) || json_integer_value(ver) != 1)) {
    rc = vmp__json_fail(r->origin, VMP_EPARSE, "version", "expected 1");
    goto out;
  }
  if (!(arr = json_object_get(root, "series"))) {
    rc = vmp__json_fail(r->origin, VMP_EPARSE, "(root)", "missing \"series\"");
    goto out;
  }
  if (!json_is_array(arr)) {
    rc = vmp__json_fail(r->origin, VMP_EPARSE, "series", "expected an array, got %s",
                        vmp__json_type_name(arr));
    goto out;
  }
  json_array_foreach(arr, i, e) {
    if ((rc = json_entry(r, e, i))) break;
  }
out:
  json_decref(root);
  return rc;
}

/* ---- entry points ------------------------------------------------------------------------- */

static int looks_like_json(const char *data, size_t len) {
  size_t k = 0;
  if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) k = 3;
  while (k < len && (data[k] == ' ' || data[k] == '\t' || data[k] == '\r' ||
                     data[k] == '\n'))
    k++;
  return k < len && data[k] == '{';
}

int vmp_history_parse(const char *data, size_t len, int format,
                      const char *origin, vmp_history **out) {
  reader r;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "vmp_history_parse: out is NULL");
  *out = NULL;
  if (!data && len) return vmp__error(VMP_EINVAL, "vmp_history_parse: data is NULL");
  if (!data) data = "";
  if (!origin) origin = "<input>";
  if (format != VMP_HISTORY_AUTO && format != VMP_HISTORY_CSV &&
      format != VMP_HISTORY_JSON)
    return vmp__error(VMP_EINVAL, "%s: unknown history format %d", origin, format);
  if (vmp__blank(data, len)) return vmp__error(VMP_EPARSE, "%s: empty input", origin);
  memset(&r, 0, sizeof r);
  r.origin = origin;
  if ((rc = vmp_history_new(&r.h))) return rc;
  if (format == VMP_HISTORY_JSON ||
      (format == VMP_HISTORY_AUTO && looks_like_json(data, len)))
    rc = read_json(&r, data, len);
  else
    rc = read_csv(&r, data, len);
  if (!rc) rc = finish(&r);
  free(r.entry);
  if (rc) {
    vmp_history_free(r.h);
    return rc;
  }
  *out = r.h;
  return 0;
}

int vmp_history_read(const char *path, int format, vmp_history **out) {
  char *data = NULL;
  size_t len = 0, n;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "vmp_history_read: out is NULL");
  *out = NULL;
  if (!path) return vmp__error(VMP_EINVAL, "vmp_history_read: path is NULL");
  if ((rc = vmp__read_file(path, &data, &len))) return rc;
  n = strlen(path);
  if (format == VMP_HISTORY_AUTO && n >= 5 && !strcmp(path + n - 5, ".json"))
    format = VMP_HISTORY_JSON;
  rc = vmp_history_parse(data, len, format, path, out);
  free(data);
  return rc;
}
