/*
 * The rebalancer's model: validation, the from-scratch evaluator and the
 * pooled lower bound.  The evaluator shares no code with the engine's
 * incremental state (rstate.c) on purpose: it is what the tests and the
 * harness verify the engine against.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rmodel.h"

/* ---- validation ------------------------------------------------------------ */

static int bad_num(double x) { return !(x >= 0) || isinf(x); }

static int check_array(const double *x, size_t n, const char *what)
{
  for (size_t i = 0; i < n; i++)
    if (bad_num(x[i]))
      return vmp__error(VMP_EINVAL, "%s[%zu]: expected a finite number >= 0",
                        what, i);
  return 0;
}

static int check_vm_list(const int *v, int n, int nv, const char *what,
                         int idx, const char *field)
{
  if (n < 0 || (n > 0 && !v))
    return vmp__error(VMP_EINVAL, "%s[%d].%s: missing list", what, idx, field);
  for (int i = 0; i < n; i++)
    if (v[i] < 0 || v[i] >= nv)
      return vmp__error(VMP_EINVAL, "%s[%d].%s[%d]: VM index %d out of range",
                        what, idx, field, i, v[i]);
  return 0;
}

static int check_csr(const int *start, const int *items, int n, int lim,
                     const char *what, const char *kind)
{
  if (n < 0) return vmp__error(VMP_EINVAL, "%s: negative count", what);
  if (n == 0) return 0;
  if (!start || !items)
    return vmp__error(VMP_EINVAL, "%s: offsets or list missing", what);
  if (start[0] != 0) return vmp__error(VMP_EINVAL, "%s: offsets start at %d, not 0",
                                       what, start[0]);
  for (int g = 0; g < n; g++) {
    if (start[g + 1] < start[g])
      return vmp__error(VMP_EINVAL, "%s[%d]: offsets decrease", what, g);
    for (int k = start[g]; k < start[g + 1]; k++)
      if (items[k] < 0 || items[k] >= lim)
        return vmp__error(VMP_EINVAL, "%s[%d]: %s index %d out of range",
                          what, g, kind, items[k]);
  }
  return 0;
}

static int check_weight(double w, const char *what)
{
  if (bad_num(w))
    return vmp__error(VMP_EINVAL, "%s: expected a finite number >= 0", what);
  return 0;
}

static int check_label(const vmp__rmodel *m, int l, const char *what, int i)
{
  if (l < 0 || l >= m->n_labels)
    return vmp__error(VMP_EINVAL, "%s[%d].label: %d is not a label index",
                      what, i, l);
  return 0;
}

int vmp__rmodel_check(const vmp__rmodel *m)
{
  int rc;
  if (!m) return vmp__error(VMP_EINVAL, "model: NULL");
  if (m->nv < 0) return vmp__error(VMP_EINVAL, "nv: negative");
  if (m->nh < 1) return vmp__error(VMP_EINVAL, "nh: expected >= 1 host");
  if (m->nr < 1 || m->nr > VMP__MAX_RESOURCES)
    return vmp__error(VMP_EINVAL, "nr: expected 1..%d resources", VMP__MAX_RESOURCES);
  size_t nv = (size_t)m->nv, nh = (size_t)m->nh, nr = (size_t)m->nr;
  if ((nv && !m->demand) || !m->cap)
    return vmp__error(VMP_EINVAL, "demand/cap: missing");
  if ((rc = check_array(m->demand, nv * nr, "demand"))) return rc;
  if ((rc = check_array(m->cap, nh * nr, "cap"))) return rc;
  if (m->safety && (rc = check_array(m->safety, nh * nr, "safety"))) return rc;
  if (m->safety_weight && (rc = check_array(m->safety_weight, nr, "safety_weight")))
    return rc;
  if (m->transient)
    for (size_t r = 0; r < nr; r++)
      if (m->transient[r] > 1)
        return vmp__error(VMP_EINVAL, "transient[%zu]: expected 0 or 1", r);
  if (m->n_balance < 0 || (m->n_balance && !m->balance))
    return vmp__error(VMP_EINVAL, "balance: missing");
  for (int b = 0; b < m->n_balance; b++) {
    const vmp__rbalance *x = &m->balance[b];
    if (x->r1 < 0 || x->r1 >= m->nr || x->r2 < 0 || x->r2 >= m->nr)
      return vmp__error(VMP_EINVAL, "balance[%d]: resource index out of range", b);
    if (bad_num(x->target) || bad_num(x->weight))
      return vmp__error(VMP_EINVAL, "balance[%d]: target and weight must be finite >= 0", b);
  }
  if (m->init)
    for (size_t v = 0; v < nv; v++)
      if (m->init[v] < -1 || m->init[v] >= m->nh)
        return vmp__error(VMP_EINVAL, "init[%zu]: host %d out of range", v, m->init[v]);
  if (m->pmc && (rc = check_array(m->pmc, nv, "pmc"))) return rc;
  if ((rc = check_weight(m->w_pmc, "w_pmc")) || (rc = check_weight(m->w_smc, "w_smc")) ||
      (rc = check_weight(m->w_mmc, "w_mmc")) || (rc = check_weight(m->w_host, "w_host")))
    return rc;
  if ((rc = check_csr(m->group_start, m->group_vms, m->n_groups, m->nv, "groups", "VM")))
    return rc;
  if (m->n_hmc_class < 0) return vmp__error(VMP_EINVAL, "n_hmc_class: negative");
  if (m->n_hmc_class > 0) {
    if (!m->hmc_class || !m->hmc)
      return vmp__error(VMP_EINVAL, "hmc_class/hmc: missing");
    for (size_t h = 0; h < nh; h++)
      if (m->hmc_class[h] < 0 || m->hmc_class[h] >= m->n_hmc_class)
        return vmp__error(VMP_EINVAL, "hmc_class[%zu]: class %d out of range",
                          h, m->hmc_class[h]);
    if ((rc = check_array(m->hmc, (size_t)m->n_hmc_class * (size_t)m->n_hmc_class, "hmc")))
      return rc;
  }
  if ((rc = check_csr(m->conflict_start, m->conflict_vms, m->n_conflict, m->nv,
                      "conflict", "VM")))
    return rc;
  if (m->n_labels < 0 || (m->n_labels && (!m->n_domains || !m->label)))
    return vmp__error(VMP_EINVAL, "labels: missing");
  for (int l = 0; l < m->n_labels; l++) {
    if (m->n_domains[l] < 1)
      return vmp__error(VMP_EINVAL, "n_domains[%d]: expected >= 1", l);
    for (size_t h = 0; h < nh; h++) {
      int d = m->label[(size_t)l * nh + h];
      if (d < 0 || d >= m->n_domains[l])
        return vmp__error(VMP_EINVAL, "label[%d][%zu]: domain %d out of range", l, h, d);
    }
  }
  if (m->n_spread < 0 || (m->n_spread && !m->spread))
    return vmp__error(VMP_EINVAL, "spread: missing");
  for (int s = 0; s < m->n_spread; s++) {
    const vmp__rspread *x = &m->spread[s];
    if ((rc = check_label(m, x->label, "spread", s)) ||
        (rc = check_vm_list(x->vms, x->n_vms, m->nv, "spread", s, "vms")))
      return rc;
    if (x->min_domains < 0)
      return vmp__error(VMP_EINVAL, "spread[%d].min_domains: negative", s);
    if (x->weight != 0)
      return vmp__error(VMP_ENOTSUP, "spread[%d].weight: soft spread is not "
                        "supported by the rebalancer", s);
  }
  if (m->n_depend < 0 || (m->n_depend && !m->depend))
    return vmp__error(VMP_EINVAL, "depend: missing");
  for (int j = 0; j < m->n_depend; j++) {
    const vmp__rdepend *x = &m->depend[j];
    if ((rc = check_label(m, x->label, "depend", j)) ||
        (rc = check_vm_list(x->a, x->n_a, m->nv, "depend", j, "a")) ||
        (rc = check_vm_list(x->b, x->n_b, m->nv, "depend", j, "b")))
      return rc;
    if (x->n_b < 1 && x->n_a > 0)
      return vmp__error(VMP_EINVAL, "depend[%d].b: empty while a is not "
                        "(no placement can satisfy it)", j);
    if (x->weight != 0)
      return vmp__error(VMP_ENOTSUP, "depend[%d].weight: soft dependency is "
                        "not supported by the rebalancer", j);
  }
  if (m->allowed_start &&
      (rc = check_csr(m->allowed_start, m->allowed_hosts, m->nv, m->nh,
                      "allowed", "host")))
    return rc;
  if (m->host_cost && (rc = check_array(m->host_cost, nh, "host_cost"))) return rc;
  return 0;
}

/* ---- the from-scratch evaluator -------------------------------------------- */

static double safety_of(const vmp__rmodel *m, size_t i)
{
  return m->safety ? m->safety[i] : m->cap[i];
}

/* Load and balance cost of one host whose load row is L. */
static void host_terms(const vmp__rmodel *m, int h, const double *L, double *load,
                       double *bal)
{
  size_t nr = (size_t)m->nr, base = (size_t)h * nr;
  if (m->safety_weight)
    for (size_t r = 0; r < nr; r++) {
      double over = L[r] - safety_of(m, base + r);
      if (over > 0) *load += m->safety_weight[r] * over;
    }
  for (int b = 0; b < m->n_balance; b++) {
    const vmp__rbalance *x = &m->balance[b];
    double f1 = m->cap[base + (size_t)x->r1] - L[x->r1];
    double f2 = m->cap[base + (size_t)x->r2] - L[x->r2];
    double t = x->target * f1 - f2;
    if (t > 0) *bal += x->weight * t;
  }
}

static int allowed_on(const vmp__rmodel *m, int v, int h)
{
  if (!m->allowed_start) return 1;
  for (int k = m->allowed_start[v]; k < m->allowed_start[v + 1]; k++)
    if (m->allowed_hosts[k] == h) return 1;
  return 0;
}

static void broken(vmp__rcost *c, const char *fmt, int x, int y)
{
  if (c->feasible) {
    c->feasible = 0;
    snprintf(c->why, sizeof c->why, fmt, x, y);
  }
}

static void eval_hard_lists(const vmp__rmodel *m, const int *a, int *mark,
                            vmp__rcost *c)
{
  size_t nh = (size_t)m->nh;
  for (int s = 0; s < m->n_conflict; s++)
    for (int k = m->conflict_start[s]; k < m->conflict_start[s + 1]; k++) {
      int h = a[m->conflict_vms[k]];
      if (mark[h] == s + 1) broken(c, "conflict set %d: two VMs on host %d", s, h);
      mark[h] = s + 1;
    }
  /* mark now holds conflict stamps; domains use a separate stamp range */
  int stamp = m->n_conflict + 1;
  for (int s = 0; s < m->n_spread; s++, stamp++) {
    const vmp__rspread *x = &m->spread[s];
    const int *lab = m->label + (size_t)x->label * nh;
    int distinct = 0;
    for (int i = 0; i < x->n_vms; i++) {
      int d = lab[a[x->vms[i]]];
      if (mark[d] != stamp) { mark[d] = stamp; distinct++; }
    }
    if (distinct < x->min_domains)
      broken(c, "spread %d: %d distinct domains, below the minimum", s, distinct);
  }
  for (int j = 0; j < m->n_depend; j++, stamp++) {
    const vmp__rdepend *x = &m->depend[j];
    const int *lab = m->label + (size_t)x->label * nh;
    for (int i = 0; i < x->n_b; i++) mark[lab[a[x->b[i]]]] = stamp;
    for (int i = 0; i < x->n_a; i++)
      if (mark[lab[a[x->a[i]]]] != stamp)
        broken(c, "dependency %d: VM %d has no VM of its b list in its domain",
               j, x->a[i]);
  }
}

int vmp__rmodel_eval(const vmp__rmodel *m, const int *a, vmp__rcost *c)
{
  size_t nv = (size_t)m->nv, nh = (size_t)m->nh, nr = (size_t)m->nr;
  memset(c, 0, sizeof *c);
  c->feasible = 1;
  for (size_t v = 0; v < nv; v++)
    if (a[v] < 0 || a[v] >= m->nh)
      return vmp__error(VMP_EINVAL, "assignment[%zu]: host %d out of range", v, a[v]);
  size_t dom = 0;
  for (int l = 0; l < m->n_labels; l++)
    if ((size_t)m->n_domains[l] > dom) dom = (size_t)m->n_domains[l];
  size_t nmark = nh > dom ? nh : dom;
  double *load = calloc(nh * nr, sizeof *load), *tl = calloc(nh * nr, sizeof *tl);
  int *cnt = calloc(nh, sizeof *cnt), *mark = calloc(nmark, sizeof *mark);
  int *gm = calloc((size_t)m->n_groups + 1, sizeof *gm);
  if (!load || !tl || !cnt || !mark || !gm) {
    free(load); free(tl); free(cnt); free(mark); free(gm);
    return vmp__enomem();
  }
  for (size_t v = 0; v < nv; v++) {
    int h = a[v], h0 = m->init ? m->init[v] : -1, moved = h0 >= 0 && h0 != h;
    cnt[h]++;
    for (size_t r = 0; r < nr; r++) {
      double d = m->demand[v * nr + r];
      load[(size_t)h * nr + r] += d;
      tl[(size_t)h * nr + r] += d;
      if (moved) tl[(size_t)h0 * nr + r] += d;
    }
    if (moved) {
      if (m->pmc) c->pmc += m->pmc[v];
      if (m->n_hmc_class)
        c->mmc += m->hmc[(size_t)m->hmc_class[h0] * (size_t)m->n_hmc_class +
                         (size_t)m->hmc_class[h]];
    }
    if (!allowed_on(m, (int)v, h)) broken(c, "VM %d: host %d not allowed", (int)v, h);
    if (m->closed && m->closed[h]) broken(c, "VM %d: host %d is closed", (int)v, h);
    if (m->pinned && m->pinned[v] && h0 >= 0 && h != h0)
      broken(c, "VM %d: pinned, but moved to host %d", (int)v, h);
  }
  for (size_t h = 0; h < nh; h++) {
    for (size_t r = 0; r < nr; r++) {
      size_t i = h * nr + r;
      if (load[i] > m->cap[i]) broken(c, "host %d: resource %d over capacity", (int)h, (int)r);
      if (m->transient && m->transient[r] && tl[i] > m->cap[i])
        broken(c, "host %d: transient resource %d over capacity", (int)h, (int)r);
    }
    host_terms(m, (int)h, load + h * nr, &c->load, &c->balance);
    if (m->host_cost && cnt[h]) c->host += m->host_cost[h];
  }
  int gmax = 0;
  for (int g = 0; g < m->n_groups; g++) {
    for (int k = m->group_start[g]; k < m->group_start[g + 1]; k++) {
      int v = m->group_vms[k], h0 = m->init ? m->init[v] : -1;
      if (h0 >= 0 && h0 != a[v]) gm[g]++;
    }
    if (gm[g] > gmax) gmax = gm[g];
  }
  eval_hard_lists(m, a, mark, c);
  c->pmc *= m->w_pmc;
  c->smc = m->w_smc * gmax;
  c->mmc *= m->w_mmc;
  c->host *= m->w_host;
  c->total = c->load + c->balance + c->pmc + c->smc + c->mmc + c->host;
  free(load); free(tl); free(cnt); free(mark); free(gm);
  return 0;
}

/* ---- the pooled lower bound -------------------------------------------------
 *
 * For any feasible assignment every VM sits on an open (not closed) host,
 * so the loads of the open hosts sum to the total demand D_r, and a closed
 * host carries no load.  max(0, .) is convex and positively homogeneous,
 * hence subadditive: sum_h max(0, x_h) >= max(0, sum_h x_h).  Applied to
 *   load:    x_h = load(h,r) - safety(h,r)  over open hosts, and closed hosts
 *            add max(0, -safety) = 0;
 *   balance: x_h = t * (cap(h,r1) - load(h,r1)) - (cap(h,r2) - load(h,r2)),
 *            a linear function of the loads, over open hosts; a closed host
 *            adds its constant max(0, t cap(h,r1) - cap(h,r2)).
 * Both sums over open hosts depend only on the totals, which are fixed.
 * Move costs are >= 0; a VM whose initial host is closed or not allowed
 * must move, so it pays its pmc, at least the cheapest class-to-class move
 * from its host to an open host's class, and its groups count it as
 * moved.  The host cost term is >= 0.  Every piece is a lower bound on its
 * term, so the sum is a lower bound on the optimum.
 *
 * Stuck VMs strengthen the load term.  A VM is stuck when every feasible
 * assignment leaves it on its initial host: it is pinned, or no other
 * open host it is allowed on has the capacity for it, counting for a
 * transient resource what that host holds for its own initial VMs
 * (they hold it whether they stay or leave, so a VM coming in needs
 * demand + initial load <= capacity).  With F(h,r) the demand of the VMs
 * stuck on h, load(h,r) >= F(h,r) in every feasible assignment, so the
 * load term is also >= w_r sum_h max(0, F(h,r) - safety(h,r)); the bound
 * takes the larger of that and the pooled figure, per resource.  (On the
 * ROADEF instance a2_2, hosts of zero safety hold VMs that fit nowhere
 * else: 13.6 M pooled, 252 M with stuck VMs.) */

/* Host checks spent looking for stuck VMs before giving up (a VM not
 * examined counts as free to move: the bound stays valid, only weaker). */
#define STUCK_WORK 50000000.0

/* Whether v, on open host h0 where it is allowed, can be on no other open
 * host it is allowed on; *work counts host checks. */
static int vm_stuck(const vmp__rmodel *m, const double *init_tl, size_t v, int h0,
                    double *work)
{
  size_t nr = (size_t)m->nr;
  const double *d = m->demand + v * nr;
  if (m->pinned && m->pinned[v]) return 1;
  int n = m->allowed_start ? m->allowed_start[v + 1] - m->allowed_start[v] : m->nh;
  for (int k = 0; k < n; k++) {
    int h = m->allowed_start ? m->allowed_hosts[m->allowed_start[v] + k] : (h0 + 1 + k) % m->nh;
    if (h == h0 || (m->closed && m->closed[h])) continue;
    *work += 1;
    const double *C = m->cap + (size_t)h * nr, *I = init_tl + (size_t)h * nr;
    size_t r = 0;
    for (; r < nr; r++)
      if (d[r] > C[r] || (m->transient && m->transient[r] && d[r] + I[r] > C[r])) break;
    if (r == nr) return 0;
  }
  return 1;
}

/* w_r sum_h max(0, F(h,r) - safety(h,r)) per resource into E[] (zero when
 * no VM is stuck or memory is short). */
static void stuck_overflow(const vmp__rmodel *m, double *E)
{
  size_t nv = (size_t)m->nv, nh = (size_t)m->nh, nr = (size_t)m->nr;
  if (!m->init || !m->safety_weight) return;
  double *init_tl = calloc(nh * nr, sizeof *init_tl), *F = calloc(nh * nr, sizeof *F);
  if (!init_tl || !F) { free(init_tl); free(F); return; }
  for (size_t v = 0; v < nv; v++)
    if (m->init[v] >= 0)
      for (size_t r = 0; r < nr; r++) init_tl[(size_t)m->init[v] * nr + r] += m->demand[v * nr + r];
  double work = 0;
  for (size_t v = 0; v < nv && work < STUCK_WORK; v++) {
    int h0 = m->init[v];
    if (h0 < 0 || (m->closed && m->closed[h0]) || !allowed_on(m, (int)v, h0)) continue;
    if (!vm_stuck(m, init_tl, v, h0, &work)) continue;
    for (size_t r = 0; r < nr; r++) F[(size_t)h0 * nr + r] += m->demand[v * nr + r];
  }
  for (size_t h = 0; h < nh; h++)
    for (size_t r = 0; r < nr; r++) {
      double e = F[h * nr + r] - safety_of(m, h * nr + r);
      if (e > 0) E[r] += e;
    }
  free(init_tl);
  free(F);
}

double vmp__rmodel_bound(const vmp__rmodel *m)
{
  size_t nv = (size_t)m->nv, nh = (size_t)m->nh, nr = (size_t)m->nr;
  double D[VMP__MAX_RESOURCES] = {0}, S[VMP__MAX_RESOURCES] = {0};
  double C[VMP__MAX_RESOURCES] = {0}, lb = 0;
  for (size_t v = 0; v < nv; v++)
    for (size_t r = 0; r < nr; r++) D[r] += m->demand[v * nr + r];
  for (size_t h = 0; h < nh; h++) {
    if (m->closed && m->closed[h]) {
      for (int b = 0; b < m->n_balance; b++) {
        const vmp__rbalance *x = &m->balance[b];
        double t = x->target * m->cap[h * nr + (size_t)x->r1] - m->cap[h * nr + (size_t)x->r2];
        if (t > 0) lb += x->weight * t;
      }
      continue;
    }
    for (size_t r = 0; r < nr; r++) {
      S[r] += safety_of(m, h * nr + r);
      C[r] += m->cap[h * nr + r];
    }
  }
  if (m->safety_weight) {
    double E[VMP__MAX_RESOURCES] = {0};
    stuck_overflow(m, E);
    for (size_t r = 0; r < nr; r++) {
      double over = D[r] - S[r] > E[r] ? D[r] - S[r] : E[r];
      if (over > 0) lb += m->safety_weight[r] * over;
    }
  }
  for (int b = 0; b < m->n_balance; b++) {
    const vmp__rbalance *x = &m->balance[b];
    double t = x->target * (C[x->r1] - D[x->r1]) - (C[x->r2] - D[x->r2]);
    if (t > 0) lb += x->weight * t;
  }
  if (!m->init) return lb;
  /* forced moves */
  double pm = 0, mm = 0;
  int nc = m->n_hmc_class;
  unsigned char *open_class = nc ? calloc((size_t)nc, 1) : NULL;
  int *gm = m->n_groups ? calloc((size_t)m->n_groups, sizeof *gm) : NULL;
  if ((nc && !open_class) || (m->n_groups && !gm)) {
    free(open_class); free(gm);
    return lb;  /* out of memory: the bound without forced moves is still valid */
  }
  for (size_t h = 0; h < nh && nc; h++)
    if (!(m->closed && m->closed[h])) open_class[m->hmc_class[h]] = 1;
  unsigned char *forced = calloc(nv ? nv : 1, 1);
  if (!forced) { free(open_class); free(gm); return lb; }
  for (size_t v = 0; v < nv; v++) {
    int h0 = m->init[v];
    if (h0 < 0 || !((m->closed && m->closed[h0]) || !allowed_on(m, (int)v, h0))) continue;
    forced[v] = 1;
    if (m->pmc) pm += m->pmc[v];
    if (nc) {
      double best = INFINITY;
      const double *row = m->hmc + (size_t)m->hmc_class[h0] * (size_t)nc;
      for (int j = 0; j < nc; j++)
        if (open_class[j] && row[j] < best) best = row[j];
      if (best < INFINITY) mm += best;
    }
  }
  int gmax = 0;
  for (int g = 0; g < m->n_groups; g++) {
    for (int k = m->group_start[g]; k < m->group_start[g + 1]; k++)
      gm[g] += forced[m->group_vms[k]];
    if (gm[g] > gmax) gmax = gm[g];
  }
  lb += m->w_pmc * pm + m->w_mmc * mm + m->w_smc * gmax;
  free(open_class); free(gm); free(forced);
  return lb;
}
