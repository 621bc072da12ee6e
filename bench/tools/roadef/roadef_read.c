/*
 * ROADEF/EURO 2012 files -> vmp__rmodel (see roadef_read.h).
 *
 * Mapping: resource r -> resource r (transient flag, load-cost weight as
 * safety weight); machine -> host with capacity, safety capacity, labels
 * 0 = neighborhood and 1 = location; the machine move-cost matrix -> host
 * move-cost classes (hosts with the same row and the same column share a
 * class, so cost(a, b) depends on the two classes only); service -> one
 * conflict set (if >= 2 processes), one move-cost group, one spread
 * constraint over locations (if spreadMin >= 2, or above its size), one
 * dependency per "depends on" within neighborhoods; process -> VM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "roadef_read.h"

typedef struct tok {
  const char *p, *end, *file;
  long count;
  char *err;
  size_t errlen;
} tok;

static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (n < cap) break;
    char *nb = realloc(buf, 2 * cap + 1);
    if (!nb) { free(buf); buf = NULL; break; }
    buf = nb;
    cap *= 2;
  }
  fclose(f);
  if (buf) { buf[n] = 0; *len = n; }
  return buf;
}

/* Next integer in [lo, hi]; `what` names the field for messages. */
static int next(tok *t, long long lo, long long hi, long long *out, const char *what, long idx)
{
  while (t->p < t->end && (*t->p == ' ' || *t->p == '\n' || *t->p == '\t' || *t->p == '\r'))
    t->p++;
  t->count++;
  if (t->p >= t->end) {
    snprintf(t->err, t->errlen, "%s: %s[%ld]: file ends early (number %ld)", t->file, what,
             idx, t->count);
    return VMP_EPARSE;
  }
  char *e;
  errno = 0;
  long long v = strtoll(t->p, &e, 10);
  if (e == t->p || errno || (e < t->end && !strchr(" \n\t\r", *e))) {
    snprintf(t->err, t->errlen, "%s: %s[%ld]: expected an integer (number %ld)", t->file,
             what, idx, t->count);
    return VMP_EPARSE;
  }
  if (v < lo || v > hi) {
    snprintf(t->err, t->errlen, "%s: %s[%ld]: %lld out of range [%lld, %lld]", t->file, what,
             idx, v, lo, hi);
    return VMP_ERANGE;
  }
  t->p = e;
  *out = v;
  return 0;
}

#define NEXT(lo, hi, dst, what, idx)                                  \
  do {                                                                \
    long long v_;                                                     \
    if ((rc = next(&t, (lo), (hi), &v_, (what), (long)(idx)))) goto out; \
    (dst) = v_;                                                       \
  } while (0)

#define BIG 1000000000000000LL

void roadef_free(roadef *rd)
{
  if (!rd) return;
  free(rd->init); free(rd->demand); free(rd->cap); free(rd->safety); free(rd->sw);
  free(rd->pmc); free(rd->hmc); free(rd->transient); free(rd->balance);
  free(rd->group_start); free(rd->group_vms); free(rd->hmc_class); free(rd->n_domains);
  free(rd->label); free(rd->spread); free(rd->depend); free(rd->dep_lists);
  memset(rd, 0, sizeof *rd);
}

static uint64_t hash_ints(const long long *x, size_t n, size_t stride)
{
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) {
    h ^= (uint64_t)x[i * stride];
    h *= 1099511628211ull;
  }
  return h;
}

/* Classes of machines with equal rows and equal columns of mmc. */
static int mmc_classes(roadef *rd, const long long *mmc, int M)
{
  size_t n = (size_t)M;
  uint64_t *rh = malloc(n * sizeof *rh), *ch = malloc(n * sizeof *ch);
  int *rep = malloc(n * sizeof *rep);  /* representative machine of each class */
  rd->hmc_class = malloc(n * sizeof *rd->hmc_class);
  if (!rh || !ch || !rep || !rd->hmc_class) { free(rh); free(ch); free(rep); return VMP_ENOMEM; }
  for (size_t a = 0; a < n; a++) {
    rh[a] = hash_ints(mmc + a * n, n, 1);
    ch[a] = hash_ints(mmc + a, n, n);
  }
  int nc = 0;
  for (size_t a = 0; a < n; a++) {
    int found = -1;
    for (int c = 0; c < nc && found < 0; c++) {
      size_t b = (size_t)rep[c];
      if (rh[a] != rh[b] || ch[a] != ch[b]) continue;
      int same = 1;
      for (size_t k = 0; k < n && same; k++)
        same = mmc[a * n + k] == mmc[b * n + k] && mmc[k * n + a] == mmc[k * n + b];
      if (same) found = c;
    }
    if (found < 0) { rep[nc] = (int)a; found = nc++; }
    rd->hmc_class[a] = found;
  }
  rd->hmc = malloc((size_t)nc * (size_t)nc * sizeof *rd->hmc);
  if (!rd->hmc) { free(rh); free(ch); free(rep); return VMP_ENOMEM; }
  for (int i = 0; i < nc; i++)
    for (int j = 0; j < nc; j++)
      rd->hmc[(size_t)i * (size_t)nc + (size_t)j] = (double)mmc[(size_t)rep[i] * n + (size_t)rep[j]];
  rd->m.n_hmc_class = nc;
  free(rh); free(ch); free(rep);
  return 0;
}

int roadef_read_solution(const char *path, int nv, int *a, char *err, size_t errlen)
{
  size_t len;
  char *buf = slurp(path, &len);
  if (!buf) {
    snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
    return VMP_EIO;
  }
  tok t = {buf, buf + len, path, 0, err, errlen};
  int rc = 0;
  for (int v = 0; v < nv; v++) NEXT(0, 1 << 30, a[v], "machine of process", v);
  while (t.p < t.end && strchr(" \n\t\r", *t.p)) t.p++;
  if (t.p < t.end) {
    snprintf(err, errlen, "%s: more than %d machine indices", path, nv);
    rc = VMP_EPARSE;
  }
out:
  free(buf);
  return rc;
}

int roadef_write_solution(const char *path, int nv, const int *a)
{
  FILE *f = fopen(path, "w");
  if (!f) return VMP_EIO;
  for (int v = 0; v < nv; v++) fprintf(f, v ? " %d" : "%d", a[v]);
  fputc('\n', f);
  return fclose(f) ? VMP_EIO : 0;
}

int roadef_read(roadef *rd, const char *model_path, const char *assign_path, char *err,
                size_t errlen)
{
  memset(rd, 0, sizeof *rd);
  size_t len;
  char *buf = slurp(model_path, &len);
  if (!buf) {
    snprintf(err, errlen, "%s: cannot read: %s", model_path, strerror(errno));
    return VMP_EIO;
  }
  tok t = {buf, buf + len, model_path, 0, err, errlen};
  int rc = 0, R, M, S, P, B;
  long long *mmc = NULL;
  int *svc = NULL, *spmin = NULL, *ndep = NULL, *deps = NULL, *dstart = NULL;
  vmp__rmodel *m = &rd->m;
  NEXT(1, 64, R, "resources", 0);
  rd->transient = calloc((size_t)R, 1);
  rd->sw = calloc((size_t)R, sizeof *rd->sw);
  if (!rd->transient || !rd->sw) goto oom;
  for (int r = 0; r < R; r++) {
    NEXT(0, 1, rd->transient[r], "resource.transient", r);
    NEXT(0, BIG, rd->sw[r], "resource.weightLoadCost", r);
  }
  NEXT(1, 100000, M, "machines", 0);
  size_t nm = (size_t)M, nr = (size_t)R;
  rd->cap = malloc(nm * nr * sizeof *rd->cap);
  rd->safety = malloc(nm * nr * sizeof *rd->safety);
  rd->n_domains = calloc(2, sizeof *rd->n_domains);
  rd->label = malloc(2 * nm * sizeof *rd->label);
  mmc = malloc(nm * nm * sizeof *mmc);
  if (!rd->cap || !rd->safety || !rd->n_domains || !rd->label || !mmc) goto oom;
  for (size_t h = 0; h < nm; h++) {
    NEXT(0, M - 1, rd->label[h], "machine.neighborhood", h);
    NEXT(0, M - 1, rd->label[nm + h], "machine.location", h);
    for (int l = 0; l < 2; l++)
      if (rd->label[(size_t)l * nm + h] + 1 > rd->n_domains[l])
        rd->n_domains[l] = rd->label[(size_t)l * nm + h] + 1;
    for (size_t r = 0; r < nr; r++) NEXT(0, BIG, rd->cap[h * nr + r], "machine.capacity", h);
    for (size_t r = 0; r < nr; r++) NEXT(0, BIG, rd->safety[h * nr + r], "machine.safetyCapacity", h);
    for (size_t k = 0; k < nm; k++) NEXT(0, BIG, mmc[h * nm + k], "machine.moveCost", h);
  }
  if ((rc = mmc_classes(rd, mmc, M))) goto out;
  free(mmc);
  mmc = NULL;
  NEXT(1, 1 << 24, S, "services", 0);
  rd->n_services = S;
  spmin = malloc((size_t)S * sizeof *spmin);
  ndep = malloc((size_t)S * sizeof *ndep);
  dstart = malloc(((size_t)S + 1) * sizeof *dstart);
  if (!spmin || !ndep || !dstart) goto oom;
  size_t dcap = 16, nd = 0;
  deps = malloc(dcap * sizeof *deps);
  if (!deps) goto oom;
  for (int s = 0; s < S; s++) {
    NEXT(0, M, spmin[s], "service.spreadMin", s);
    NEXT(0, S, ndep[s], "service.dependencies", s);
    dstart[s] = (int)nd;
    for (int k = 0; k < ndep[s]; k++) {
      if (nd == dcap && !(deps = realloc(deps, (dcap *= 2) * sizeof *deps))) goto oom;
      NEXT(0, S - 1, deps[nd], "service.dependency", s);
      nd++;
    }
  }
  dstart[S] = (int)nd;
  NEXT(0, 1 << 26, P, "processes", 0);
  size_t np = (size_t)P;
  svc = malloc((np + 1) * sizeof *svc);
  rd->demand = malloc((np * nr + 1) * sizeof *rd->demand);
  rd->pmc = malloc((np + 1) * sizeof *rd->pmc);
  if (!svc || !rd->demand || !rd->pmc) goto oom;
  for (size_t p = 0; p < np; p++) {
    NEXT(0, S - 1, svc[p], "process.service", p);
    for (size_t r = 0; r < nr; r++) NEXT(0, BIG, rd->demand[p * nr + r], "process.requirement", p);
    NEXT(0, BIG, rd->pmc[p], "process.moveCost", p);
  }
  NEXT(0, 1 << 20, B, "balance objectives", 0);
  rd->balance = malloc(((size_t)B + 1) * sizeof *rd->balance);
  if (!rd->balance) goto oom;
  for (int b = 0; b < B; b++) {
    NEXT(0, R - 1, rd->balance[b].r1, "balance.resource1", b);
    NEXT(0, R - 1, rd->balance[b].r2, "balance.resource2", b);
    NEXT(0, BIG, rd->balance[b].target, "balance.target", b);
    NEXT(0, BIG, rd->balance[b].weight, "balance.weight", b);
  }
  NEXT(0, BIG, m->w_pmc, "processMoveCostWeight", 0);
  NEXT(0, BIG, m->w_smc, "serviceMoveCostWeight", 0);
  NEXT(0, BIG, m->w_mmc, "machineMoveCostWeight", 0);
  while (t.p < t.end && strchr(" \n\t\r", *t.p)) t.p++;
  if (t.p < t.end) {
    snprintf(err, errlen, "%s: unexpected data after the move-cost weights", model_path);
    rc = VMP_EPARSE;
    goto out;
  }
  /* services -> groups (CSR of their processes) */
  rd->group_start = calloc((size_t)S + 1, sizeof *rd->group_start);
  rd->group_vms = malloc((np + 1) * sizeof *rd->group_vms);
  if (!rd->group_start || !rd->group_vms) goto oom;
  for (size_t p = 0; p < np; p++) rd->group_start[svc[p] + 1]++;
  for (int s = 0; s < S; s++) rd->group_start[s + 1] += rd->group_start[s];
  {
    int *fill = malloc(((size_t)S + 1) * sizeof *fill);
    if (!fill) goto oom;
    memcpy(fill, rd->group_start, (size_t)S * sizeof *fill);
    for (size_t p = 0; p < np; p++) rd->group_vms[fill[svc[p]]++] = (int)p;
    free(fill);
  }
  rd->spread = malloc(((size_t)S + 1) * sizeof *rd->spread);
  rd->depend = malloc((nd + 1) * sizeof *rd->depend);
  if (!rd->spread || !rd->depend) goto oom;
  int nsp = 0;
  for (int s = 0; s < S; s++) {
    int sz = rd->group_start[s + 1] - rd->group_start[s];
    if (spmin[s] < 2 && spmin[s] <= sz) continue;
    vmp__rspread *x = &rd->spread[nsp++];
    x->label = 1;
    x->min_domains = spmin[s];
    x->n_vms = sz;
    x->vms = rd->group_vms + rd->group_start[s];
    x->weight = 0;
  }
  for (int s = 0; s < S; s++)
    for (int k = dstart[s]; k < dstart[s + 1]; k++) {
      vmp__rdepend *x = &rd->depend[k];
      int b = deps[k];
      x->label = 0;
      x->n_a = rd->group_start[s + 1] - rd->group_start[s];
      x->a = rd->group_vms + rd->group_start[s];
      x->n_b = rd->group_start[b + 1] - rd->group_start[b];
      x->b = rd->group_vms + rd->group_start[b];
      x->weight = 0;
    }
  rd->init = malloc((np + 1) * sizeof *rd->init);
  if (!rd->init) goto oom;
  if ((rc = roadef_read_solution(assign_path, P, rd->init, err, errlen))) goto out;
  for (size_t p = 0; p < np; p++)
    if (rd->init[p] >= M) {
      snprintf(err, errlen, "%s: process %zu: machine %d out of range (%d machines)",
               assign_path, p, rd->init[p], M);
      rc = VMP_ERANGE;
      goto out;
    }
  m->nv = P;
  m->nh = M;
  m->nr = R;
  m->demand = rd->demand;
  m->cap = rd->cap;
  m->safety = rd->safety;
  m->safety_weight = rd->sw;
  m->transient = rd->transient;
  m->n_balance = B;
  m->balance = rd->balance;
  m->init = rd->init;
  m->pmc = rd->pmc;
  m->n_groups = S;
  m->group_start = rd->group_start;
  m->group_vms = rd->group_vms;
  m->hmc_class = rd->hmc_class;
  m->hmc = rd->hmc;
  m->n_conflict = S;
  m->conflict_start = rd->group_start;
  m->conflict_vms = rd->group_vms;
  m->n_labels = 2;
  m->n_domains = rd->n_domains;
  m->label = rd->label;
  m->n_spread = nsp;
  m->spread = rd->spread;
  m->n_depend = (int)nd;
  m->depend = rd->depend;
  goto out;
oom:
  snprintf(err, errlen, "%s: out of memory", model_path);
  rc = VMP_ENOMEM;
out:
  free(buf); free(mmc); free(svc); free(spmin); free(ndep); free(deps); free(dstart);
  if (rc) roadef_free(rd);
  return rc;
}
