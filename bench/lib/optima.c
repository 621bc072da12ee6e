/*
 * Best-known values from the tables in ../shared/instances/optima/ (or any
 * CSV given with --optima).  Every table has the columns
 * instance,opt_or_best,is_proven_optimal; the VBP detail tables add
 * relpath and best_heuristic.  Instance naming differs per table (BPPLIB:
 * the file's stem; VBP: "<set>/<stem>"; VPSolver examples:
 * "vpsolver_examples/<file>"); suites.c builds the key each suite's table
 * uses, and vmpb_optima_match tries the usual spellings for folders given
 * with --instances.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static int cmp_entry(const void *a, const void *b) {
  return strcmp(((const vmpb_opt_entry *)a)->key,
                ((const vmpb_opt_entry *)b)->key);
}

static int parse_num(const char *s, double *v) {
  char *end;
  if (!s || !*s) return -1;
  errno = 0;
  *v = strtod(s, &end);
  while (*end == ' ') end++;
  return end == s || *end || errno || !isfinite(*v) ? -1 : 0;
}

static int parse_bool(const char *s) {
  if (!s) return -1;
  if (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "True")) return 1;
  if (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "False")) return 0;
  return -1;
}

int vmpb_optima_load(vmpb_optima *o, const char *path, char *err) {
  FILE *f = fopen(path, "r");
  char *line = NULL, *fields[64];
  size_t cap = 0, lineno = 1, n0 = o->n, ecap = o->n;
  int ci = -1, cb = -1, cp = -1, ch = -1, cr = -1, cc = -1, nf, rc = 0;
  if (!f) {
    vmpb_errf(err, "%s: %s", path, strerror(errno));
    return -1;
  }
  if (getline(&line, &cap, f) < 0) {
    vmpb_errf(err, "%s: empty file", path);
    rc = -1;
  } else {
    nf = vmpb_csv_split(line, fields, 64);
    for (int k = 0; k < nf; k++) {
      if (!strcmp(fields[k], "instance")) ci = k;
      else if (!strcmp(fields[k], "opt_or_best")) cb = k;
      else if (!strcmp(fields[k], "is_proven_optimal")) cp = k;
      else if (!strcmp(fields[k], "best_heuristic")) ch = k;
      else if (!strcmp(fields[k], "relpath")) cr = k;
      else if (!strcmp(fields[k], "initial_cost")) cc = k;
    }
    if (ci < 0 || cb < 0) {
      vmpb_errf(err, "%s: line 1: expected the columns instance and opt_or_best",
                path);
      rc = -1;
    }
  }
  while (!rc && getline(&line, &cap, f) >= 0) {
    vmpb_opt_entry *e;
    double best;
    lineno++;
    nf = vmpb_csv_split(line, fields, 64);
    if (nf == 1 && !*fields[0]) continue;
    if (nf < 0 || ci >= nf || cb >= nf) {
      vmpb_errf(err, "%s: line %d: expected at least %d fields", path, (int)lineno,
                (ci > cb ? ci : cb) + 1);
      rc = -1;
      break;
    }
    if (parse_num(fields[cb], &best)) {
      vmpb_errf(err, "%s: line %zu: opt_or_best: expected a number, got \"%s\"",
                path, lineno, fields[cb]);
      rc = -1;
      break;
    }
    if (o->n == ecap) {
      size_t nc = ecap ? 2 * ecap : 256;
      vmpb_opt_entry *ne = realloc(o->e, nc * sizeof *ne);
      if (!ne) {
        vmpb_errf(err, "out of memory");
        rc = -1;
        break;
      }
      o->e = ne;
      ecap = nc;
    }
    e = &o->e[o->n];
    memset(e, 0, sizeof *e);
    e->key = strdup(fields[ci]);
    e->relpath = cr >= 0 && cr < nf ? strdup(fields[cr]) : NULL;
    e->best = best;
    e->proven = cp >= 0 && cp < nf ? parse_bool(fields[cp]) : -1;
    e->best_heuristic = NAN;
    if (ch >= 0 && ch < nf && parse_num(fields[ch], &e->best_heuristic))
      e->best_heuristic = NAN;
    e->initial_cost = NAN;
    if (cc >= 0 && cc < nf && parse_num(fields[cc], &e->initial_cost))
      e->initial_cost = NAN;
    if (!e->key || (cr >= 0 && cr < nf && !e->relpath)) {
      free(e->key);
      free(e->relpath);
      vmpb_errf(err, "out of memory");
      rc = -1;
      break;
    }
    o->n++;
  }
  free(line);
  fclose(f);
  if (rc) {
    /* leave o as it was before this table */
    for (size_t k = n0; k < o->n; k++) {
      free(o->e[k].key);
      free(o->e[k].relpath);
    }
    o->n = n0;
    return -1;
  }
  if (o->n) qsort(o->e, o->n, sizeof *o->e, cmp_entry);
  return 0;
}

void vmpb_optima_free(vmpb_optima *o) {
  for (size_t k = 0; k < o->n; k++) {
    free(o->e[k].key);
    free(o->e[k].relpath);
  }
  free(o->e);
  o->e = NULL;
  o->n = 0;
}

const vmpb_opt_entry *vmpb_optima_find(const vmpb_optima *o,
                                       const char *key) {
  vmpb_opt_entry probe;
  if (!o->n || !key) return NULL;
  probe.key = (char *)key;
  return bsearch(&probe, o->e, o->n, sizeof *o->e, cmp_entry);
}

static void strip_ext(char *s) {
  char *dot = strrchr(s, '.'), *slash = strrchr(s, '/');
  if (dot && (!slash || dot > slash)) *dot = 0;
}

const vmpb_opt_entry *vmpb_optima_match(const vmpb_optima *o,
                                        const char *relpath) {
  char buf[4096];
  const char *base;
  const vmpb_opt_entry *e;
  size_t lr;
  if (!relpath || strlen(relpath) >= sizeof buf) return NULL;
  if ((e = vmpb_optima_find(o, relpath))) return e;
  strcpy(buf, relpath);
  strip_ext(buf);
  if ((e = vmpb_optima_find(o, buf))) return e;
  base = strrchr(relpath, '/');
  base = base ? base + 1 : relpath;
  if ((e = vmpb_optima_find(o, base))) return e;
  strcpy(buf, base);
  strip_ext(buf);
  if ((e = vmpb_optima_find(o, buf))) return e;
  /* tables with a relpath column name files from the data root: match by
   * suffix on a directory boundary */
  lr = strlen(relpath);
  for (size_t k = 0; k < o->n; k++) {
    const char *rp = o->e[k].relpath;
    size_t l = rp ? strlen(rp) : 0;
    if (l > lr && rp[l - lr - 1] == '/' && !strcmp(rp + l - lr, relpath))
      return &o->e[k];
    if (l == lr && rp && !strcmp(rp, relpath)) return &o->e[k];
  }
  return NULL;
}
