/*
 * The results table: one row per (suite, instance, solver), kept as text
 * so that a row read back from results.csv is written again unchanged.
 * results.csv is appended to as runs finish (a crash of the runner loses
 * nothing finished) and read back to resume; results.json is written from
 * the whole table at the end of every run.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "bench.h"

/* kind: 0 text, 1 number, 2 boolean */
static const struct {
  const char *name;
  int kind;
} cols[VMPB_NCOLS] = {
    {"suite", 0},       {"instance", 0},     {"solver", 0},
    {"status", 0},      {"value", 1},        {"best_known", 1},
    {"proven_optimal", 2}, {"bound", 1},     {"gap_to_best", 1},
    {"time_s", 1},      {"peak_mib", 1},     {"best_known_proven", 2},
    {"best_heuristic", 1}, {"stop_reason", 0}, {"hosts_used", 1},
    {"vms", 1},         {"unplaced", 1},     {"read_s", 1},
    {"wall_s", 1},      {"time_limit", 1},   {"seed", 1},
    {"threads", 1},     {"note", 0},         {"initial_cost", 1},
    {"normalized_gap", 1}, {"vs_best", 1},
};

const char *vmpb_col_name(int col) {
  return col >= 0 && col < VMPB_NCOLS ? cols[col].name : NULL;
}

int vmpb_col_kind(int col) {
  return col >= 0 && col < VMPB_NCOLS ? cols[col].kind : 0;
}

static void row_free(vmpb_row *r) {
  for (int c = 0; c < VMPB_NCOLS; c++) free(r->f[c]);
}

void vmpb_table_invalidate(vmpb_table *t) {
  free(t->slot);
  t->slot = NULL;
  t->nslot = t->nindexed = 0;
}

void vmpb_table_free(vmpb_table *t) {
  for (size_t k = 0; k < t->n; k++) row_free(&t->rows[k]);
  free(t->rows);
  t->rows = NULL;
  t->n = t->cap = 0;
  vmpb_table_invalidate(t);
}

vmpb_row *vmpb_table_add(vmpb_table *t) {
  vmpb_row *r;
  if (t->n == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 64;
    vmpb_row *rows = realloc(t->rows, cap * sizeof *rows);
    if (!rows) return NULL;
    t->rows = rows;
    t->cap = cap;
  }
  r = &t->rows[t->n];
  for (int c = 0; c < VMPB_NCOLS; c++) {
    r->f[c] = strdup("");
    if (!r->f[c]) {
      for (int d = 0; d < c; d++) free(r->f[d]);
      return NULL;
    }
  }
  t->n++;
  return r;
}

int vmpb_row_set(vmpb_row *r, int col, const char *text) {
  char *copy = strdup(text ? text : "");
  if (!copy) return -1;
  free(r->f[col]);
  r->f[col] = copy;
  return 0;
}

int vmpb_row_setf(vmpb_row *r, int col, const char *fmt, double v) {
  char buf[64];
  if (isnan(v)) return vmpb_row_set(r, col, "");
  snprintf(buf, sizeof buf, fmt, v);
  return vmpb_row_set(r, col, buf);
}

double vmpb_row_num(const vmpb_row *r, int col) {
  const char *s = r->f[col];
  char *end;
  double v;
  if (!s || !*s) return NAN;
  if (!strcmp(s, "true")) return 1;
  if (!strcmp(s, "false")) return 0;
  errno = 0;
  v = strtod(s, &end);
  if (end == s || *end || errno) return NAN;
  return v;
}

int vmpb_row_is(const vmpb_row *r, const char *suite, const char *instance,
                const char *solver) {
  return !strcmp(r->f[VMPB_COL_SUITE], suite) &&
         !strcmp(r->f[VMPB_COL_INSTANCE], instance) &&
         !strcmp(r->f[VMPB_COL_SOLVER], solver);
}

/* FNV-1a over the three key fields, each with its terminator. */
static size_t key_hash(const char *suite, const char *instance,
                       const char *solver) {
  const char *parts[3] = {suite, instance, solver};
  uint64_t h = 1469598103934665603ULL;
  for (int k = 0; k < 3; k++) {
    for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++)
      h = (h ^ *p) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
  }
  return (size_t)h;
}

static int index_insert(vmpb_table *t, size_t row) {
  const vmpb_row *r = &t->rows[row];
  size_t k = key_hash(r->f[VMPB_COL_SUITE], r->f[VMPB_COL_INSTANCE],
                      r->f[VMPB_COL_SOLVER]) & (t->nslot - 1);
  while (t->slot[k]) {
    /* the first row of a key wins, as a linear scan would find it */
    if (vmpb_row_is(&t->rows[t->slot[k] - 1], r->f[VMPB_COL_SUITE],
                    r->f[VMPB_COL_INSTANCE], r->f[VMPB_COL_SOLVER]))
      return 0;
    k = (k + 1) & (t->nslot - 1);
  }
  t->slot[k] = row + 1;
  return 0;
}

/* Brings the index up to the table's rows; -1 on out of memory. */
static int index_update(vmpb_table *t) {
  if (t->nslot < 2 * t->n + 16) {
    size_t n = 64;
    while (n < 4 * t->n + 16) n *= 2;
    free(t->slot);
    if (!(t->slot = calloc(n, sizeof *t->slot))) {
      t->nslot = t->nindexed = 0;
      return -1;
    }
    t->nslot = n;
    t->nindexed = 0;
  }
  for (; t->nindexed < t->n; t->nindexed++) index_insert(t, t->nindexed);
  return 0;
}

size_t vmpb_table_find(vmpb_table *t, const char *suite, const char *instance,
                       const char *solver) {
  size_t k;
  if (index_update(t)) {
    for (k = 0; k < t->n; k++)
      if (vmpb_row_is(&t->rows[k], suite, instance, solver)) return k;
    return (size_t)-1;
  }
  k = key_hash(suite, instance, solver) & (t->nslot - 1);
  while (t->slot[k]) {
    if (vmpb_row_is(&t->rows[t->slot[k] - 1], suite, instance, solver))
      return t->slot[k] - 1;
    k = (k + 1) & (t->nslot - 1);
  }
  return (size_t)-1;
}

/* ---- CSV ------------------------------------------------------------------- */

/* Reads a CSV file whose header names columns of `names` (ncols of them);
 * `fixed` leading columns must come first and in order.  Rows go to t with
 * fields in column order. */
static int read_csv(const char *path, const char *const *names, int ncols,
                    int fixed, vmpb_table *t, char *err) {
  FILE *f = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0;
  int map[VMPB_NCOLS + 64];
  char *fields[VMPB_NCOLS + 64];
  int nhead, rc = 0;
  size_t lineno = 1;
  if (!f) {
    if (errno == ENOENT) return 0;
    vmpb_errf(err, "%s: %s", path, strerror(errno));
    return -1;
  }
  if (getline(&line, &cap, f) < 0) {
    /* an empty file is an empty table */
    free(line);
    fclose(f);
    return 0;
  }
  nhead = vmpb_csv_split(line, fields, (int)(sizeof fields / sizeof *fields));
  if (nhead < fixed) {
    vmpb_errf(err, "%s: line 1: expected the columns %s,%s,... (not a results "
              "file of this runner?)", path, names[0], names[1]);
    rc = -1;
  }
  for (int k = 0; !rc && k < nhead; k++) {
    map[k] = -1;
    for (int c = 0; c < ncols; c++)
      if (!strcmp(fields[k], names[c])) map[k] = c;
    if (k < fixed && map[k] != k) {
      vmpb_errf(err, "%s: line 1: column %d is \"%s\", expected \"%s\"", path,
                k + 1, fields[k], names[k]);
      rc = -1;
    }
  }
  while (!rc && getline(&line, &cap, f) >= 0) {
    vmpb_row *r;
    int nf;
    size_t len = strlen(line);
    lineno++;
    if (line[0] == '\n' || line[0] == 0) continue;
    /* a last line without its end was cut by a crash while appending:
     * its run is redone */
    if (line[len - 1] != '\n') continue;
    nf = vmpb_csv_split(line, fields, nhead);
    if (nf < 0) {
      vmpb_errf(err, "%s: line %zu: unterminated quote", path, lineno);
      rc = -1;
      break;
    }
    if (nf < fixed) {
      vmpb_errf(err, "%s: line %zu: %d fields, expected at least %d", path, lineno,
                nf, fixed);
      rc = -1;
      break;
    }
    if (!(r = vmpb_table_add(t))) {
      vmpb_errf(err, "out of memory");
      rc = -1;
      break;
    }
    for (int k = 0; k < nf; k++)
      if (map[k] >= 0 && vmpb_row_set(r, map[k], fields[k])) {
        vmpb_errf(err, "out of memory");
        rc = -1;
      }
  }
  free(line);
  fclose(f);
  return rc;
}

int vmpb_results_read(const char *path, vmpb_table *t, char *err) {
  const char *names[VMPB_NCOLS];
  for (int c = 0; c < VMPB_NCOLS; c++) names[c] = cols[c].name;
  return read_csv(path, names, VMPB_NCOLS, VMPB_NCOLS_FIXED, t, err);
}

static int write_header(FILE *f, int ncols, const char *(*name)(int)) {
  for (int c = 0; c < ncols; c++) {
    if (c) fputc(',', f);
    fputs(name(c), f);
  }
  fputc('\n', f);
  return ferror(f) ? -1 : 0;
}

static int write_row(FILE *f, const vmpb_row *r, int ncols) {
  for (int c = 0; c < ncols; c++) {
    if (c) fputc(',', f);
    vmpb_csv_field(f, r->f[c]);
  }
  fputc('\n', f);
  return ferror(f) ? -1 : 0;
}

int vmpb_results_write_header(FILE *f) {
  return write_header(f, VMPB_NCOLS, vmpb_col_name);
}

int vmpb_results_write_row(FILE *f, const vmpb_row *r) {
  return write_row(f, r, VMPB_NCOLS);
}

static int write_table(const char *path, const vmpb_table *t, int ncols,
                       const char *(*name)(int), char *err) {
  char tmp[4096];
  FILE *f;
  int bad;
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  if (!(f = fopen(tmp, "w"))) {
    vmpb_errf(err, "%s: %s", tmp, strerror(errno));
    return -1;
  }
  bad = write_header(f, ncols, name);
  for (size_t k = 0; !bad && k < t->n; k++) bad = write_row(f, &t->rows[k], ncols);
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path)) {
    vmpb_errf(err, "%s: %s", path, strerror(errno ? errno : EIO));
    remove(tmp);
    return -1;
  }
  return 0;
}

int vmpb_results_write(const char *path, const vmpb_table *t, char *err) {
  return write_table(path, t, VMPB_NCOLS, vmpb_col_name, err);
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *field_json(const char *text, int kind) {
  double v;
  char *end;
  if (!text || !*text) return json_null();
  if (kind == 2) return json_boolean(!strcmp(text, "true") || !strcmp(text, "1"));
  if (kind == 1) {
    v = strtod(text, &end);
    if (end != text && !*end && isfinite(v)) {
      if (v == floor(v) && fabs(v) < 9e15) return json_integer((json_int_t)v);
      return json_real(v);
    }
  }
  return json_string(text);
}

int vmpb_results_write_json(const char *path, const vmpb_table *t,
                            const char *const *commands, size_t ncommands,
                            char *err) {
  json_t *root = json_object(), *colsj = json_array(), *rows = json_array(),
         *cmds = json_array();
  int bad = !root || !colsj || !rows || !cmds;
  char tmp[4096];
  for (int c = 0; !bad && c < VMPB_NCOLS; c++)
    bad |= json_array_append_new(colsj, json_string(cols[c].name));
  for (size_t k = 0; !bad && k < ncommands; k++)
    bad |= json_array_append_new(cmds, json_string(commands[k]));
  for (size_t k = 0; !bad && k < t->n; k++) {
    json_t *o = json_object();
    bad |= !o;
    for (int c = 0; !bad && c < VMPB_NCOLS; c++)
      bad |= json_object_set_new(o, cols[c].name,
                                 field_json(t->rows[k].f[c], cols[c].kind));
    if (!bad) bad |= json_array_append_new(rows, o);
  }
  if (!bad) {
    bad |= json_object_set_new(root, "generator", json_string("vmplace-bench"));
    bad |= json_object_set(root, "commands", cmds);
    bad |= json_object_set(root, "columns", colsj);
    bad |= json_object_set(root, "rows", rows);
  }
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  if (!bad && json_dump_file(root, tmp, JSON_INDENT(1) | JSON_PRESERVE_ORDER)) bad = 1;
  if (!bad && rename(tmp, path)) bad = 1;
  json_decref(root);
  json_decref(colsj);
  json_decref(rows);
  json_decref(cmds);
  if (bad) {
    vmpb_errf(err, "%s: cannot write (%s)", path,
              errno ? strerror(errno) : "out of memory");
    remove(tmp);
    return -1;
  }
  return 0;
}

/* ---- online.csv --------------------------------------------------------------- */

static const char *const ocols[VMPB_NOCOLS] = {
    "suite",   "hosts",  "vms",    "arrivals", "placed", "setup_s", "median_us",
    "p99_us",  "max_us", "mean_us", "peak_mib", "seed",  "status",  "note",
    "added",   "added_placed", "add_median_us", "add_p99_us", "add_max_us"};

const char *vmpb_ocol_name(int col) {
  return col >= 0 && col < VMPB_NOCOLS ? ocols[col] : NULL;
}

int vmpb_online_read(const char *path, vmpb_table *t, char *err) {
  return read_csv(path, ocols, VMPB_NOCOLS, VMPB_OCOL_NOTE + 1, t, err);
}

int vmpb_online_write(const char *path, const vmpb_table *t, char *err) {
  return write_table(path, t, VMPB_NOCOLS, vmpb_ocol_name, err);
}
