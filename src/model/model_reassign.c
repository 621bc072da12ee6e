/*
 * Compiling the rebalancing parts of a problem into the model (model.h,
 * "rebalancing"): safety capacities, transient base loads, ratio terms,
 * group-move lists, host move-cost classes, spread and dependency
 * constraints over host domains, and the `needs` bits that tell a solver
 * which of them it must model.  Everything is copied: the model never
 * points into the problem.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "reassign_impl.h"

/* The domains of label `key` (0 = host): one id per distinct value, hosts
 * without the label one each.  Shared by every spread and dependency with
 * that scope. */
static int domains(vmp__model *m, const vmp_problem *p, uint32_t key,
                   uint32_t *out) {
  vmp__mdomains *d;
  uint32_t *val_dom = NULL;
  size_t nval;
  for (uint32_t k = 0; k < m->nrdoms; k++)
    if (m->rdoms[k].key == key) {
      *out = k;
      return 0;
    }
  d = realloc(m->rdoms, (m->nrdoms + 1) * sizeof *m->rdoms);
  if (!d) return vmp__enomem();
  m->rdoms = d;
  d = &m->rdoms[m->nrdoms];
  memset(d, 0, sizeof *d);
  d->key = key;
  d->dom = malloc((m->nhosts + 1) * sizeof *d->dom);
  nval = p->pool.nstrs + 1;
  if (key) val_dom = malloc(nval * sizeof *val_dom);
  if (!d->dom || (key && !val_dom)) {
    free(d->dom);
    free(val_dom);
    return vmp__enomem();
  }
  if (val_dom) memset(val_dom, 0xff, nval * sizeof *val_dom);
  for (size_t h = 0; h < m->nhosts; h++) {
    uint32_t v = key ? vmp__labels_get(&p->host_labels[h], key) : 0;
    if (!v) {
      d->dom[h] = d->ndom++;
    } else {
      if (val_dom[v] == UINT32_MAX) val_dom[v] = d->ndom++;
      d->dom[h] = val_dom[v];
    }
  }
  free(val_dom);
  *out = m->nrdoms++;
  return 0;
}

static uint32_t *copy_u32(const uint32_t *src, size_t n) {
  uint32_t *d = malloc((n + 1) * sizeof *d);
  if (d && n) memcpy(d, src, n * sizeof *d);
  return d;
}

static int safety_part(vmp__model *m, const vmp_problem *p) {
  if (!vmp__has_safety(p) || m->w.safety == 0.0) return 0;
  m->safety = malloc((m->nhosts * m->nres + 1) * sizeof *m->safety);
  if (!m->safety) return vmp__enomem();
  for (size_t h = 0; h < m->nhosts; h++)
    for (uint32_t r = 0; r < m->nres; r++)
      m->safety[h * m->nres + r] = vmp_problem_host_safety_capacity(p, h, r);
  for (uint32_t r = 0; r < m->nres; r++)
    m->safety_w[r] = p->res_safety_weight[r] * m->w.safety;
  m->needs |= VMP__NEED_TERMS;
  return 0;
}

static int transient_part(vmp__model *m, const vmp_problem *p) {
  int any = 0;
  m->transient = p->res_transient;
  if (!m->transient) return 0;
  m->tbase = calloc(m->nhosts * m->nres + 1, sizeof *m->tbase);
  if (!m->tbase) return vmp__enomem();
  for (size_t v = 0; v < m->nvms; v++) {
    int32_t c = m->cur[v];
    if (c < 0) continue;
    for (uint32_t r = 0; r < m->nres; r++)
      if ((m->transient >> r) & 1u) {
        double d = m->dem[v * m->nres + r];
        m->tbase[(size_t)c * m->nres + r] += d;
        if (d > 0.0) any = 1;
      }
  }
  if (any) m->needs |= VMP__NEED_TRANSIENT;
  return 0;
}

static int ratio_part(vmp__model *m, const vmp_problem *p) {
  if (!p->nratios || m->w.ratio == 0.0) return 0;
  m->ratios = malloc(p->nratios * sizeof *m->ratios);
  if (!m->ratios) return vmp__enomem();
  for (size_t k = 0; k < p->nratios; k++) {
    m->ratios[k] = p->ratios[k];
    m->ratios[k].weight *= m->w.ratio;
  }
  m->nratios = (uint32_t)p->nratios;
  m->needs |= VMP__NEED_TERMS;
  return 0;
}

static int moves_part(vmp__model *m, const vmp_problem *p) {
  size_t total = 0;
  if (p->hmc_n && m->w.host_moves > 0.0) {
    m->hmc_class = copy_u32(p->hmc_class, m->nhosts);
    m->hmc = malloc(((size_t)p->hmc_n * p->hmc_n + 1) * sizeof *m->hmc);
    if (!m->hmc_class || !m->hmc) return vmp__enomem();
    memcpy(m->hmc, p->hmc, (size_t)p->hmc_n * p->hmc_n * sizeof *m->hmc);
    m->hmc_n = p->hmc_n;
    m->needs |= VMP__NEED_TERMS;
  }
  if (m->w.group_moves == 0.0 || !p->ngroups) return 0;
  for (size_t g = 0; g < p->ngroups; g++) total += p->groups[g].nvms;
  m->gm_start = malloc((p->ngroups + 1) * sizeof *m->gm_start);
  m->gm_vms = malloc((total + 1) * sizeof *m->gm_vms);
  if (!m->gm_start || !m->gm_vms) return vmp__enomem();
  m->gm_start[0] = 0;
  for (size_t g = 0; g < p->ngroups; g++) {
    memcpy(m->gm_vms + m->gm_start[g], p->groups[g].vms,
           p->groups[g].nvms * sizeof *m->gm_vms);
    m->gm_start[g + 1] = m->gm_start[g] + p->groups[g].nvms;
  }
  m->ngm = (uint32_t)p->ngroups;
  m->needs |= VMP__NEED_TERMS;
  return 0;
}

static int spread_part(vmp__model *m, const vmp_problem *p) {
  int rc;
  for (size_t g = 0; g < p->ngroups; g++)
    if (p->groups[g].policy == VMP_SPREAD) m->nspreads++;
  if (!m->nspreads) return 0;
  m->spreads = calloc(m->nspreads, sizeof *m->spreads);
  if (!m->spreads) return vmp__enomem();
  m->nspreads = 0;
  for (size_t g = 0; g < p->ngroups; g++) {
    const vmp__group *gr = &p->groups[g];
    vmp__mspread *s;
    if (gr->policy != VMP_SPREAD) continue;
    s = &m->spreads[m->nspreads++];
    s->group = (uint32_t)g;
    s->hard = gr->hard;
    s->weight = gr->weight * m->w.soft;
    s->min_domains = gr->min_domains;
    if (!(s->vms = copy_u32(gr->vms, gr->nvms))) return vmp__enomem();
    s->nvms = gr->nvms;
    if ((rc = domains(m, p, gr->scope, &s->doms))) return rc;
    if (s->min_domains >= 2)
      m->needs |= gr->hard ? VMP__NEED_SPREAD : VMP__NEED_TERMS;
  }
  return 0;
}

static int dep_part(vmp__model *m, const vmp_problem *p) {
  int rc;
  if (!p->ndeps) return 0;
  m->deps = calloc(p->ndeps, sizeof *m->deps);
  if (!m->deps) return vmp__enomem();
  for (size_t d = 0; d < p->ndeps; d++) {
    const vmp__dep *dp = &p->deps[d];
    const vmp__group *a = &p->groups[dp->group], *b = &p->groups[dp->on];
    vmp__mdep *x = &m->deps[m->ndeps++];
    x->group = dp->group;
    x->on = dp->on;
    x->hard = dp->hard;
    x->weight = dp->weight * m->w.soft;
    if (!(x->a = copy_u32(a->vms, a->nvms)) ||
        !(x->b = copy_u32(b->vms, b->nvms)))
      return vmp__enomem();
    x->na = a->nvms;
    x->nb = b->nvms;
    if ((rc = domains(m, p, dp->scope, &x->doms))) return rc;
    m->needs |= dp->hard ? VMP__NEED_DEPEND : VMP__NEED_TERMS;
  }
  return 0;
}

int vmp__model_compile_reassign(const vmp_problem *p, vmp__model *m) {
  int rc;
  if ((rc = safety_part(m, p)) || (rc = transient_part(m, p)) ||
      (rc = ratio_part(m, p)) || (rc = moves_part(m, p)) ||
      (rc = spread_part(m, p)) || (rc = dep_part(m, p)))
    return rc;
  return 0;
}

void vmp__model_free_reassign(vmp__model *m) {
  VMP__FREE_ALL(m->safety, m->tbase, m->ratios, m->hmc_class, m->hmc, m->gm_start, m->gm_vms);
  for (uint32_t k = 0; k < m->nspreads; k++) free(m->spreads[k].vms);
  free(m->spreads);
  for (uint32_t k = 0; k < m->ndeps; k++) {
    free(m->deps[k].a);
    free(m->deps[k].b);
  }
  free(m->deps);
  for (uint32_t k = 0; k < m->nrdoms; k++) free(m->rdoms[k].dom);
  free(m->rdoms);
}

const char *vmp__model_needs_text(unsigned needs) {
  if (needs & VMP__NEED_TRANSIENT)
    return "transient resources held on both hosts of a move";
  if (needs & VMP__NEED_SPREAD) return "spread groups with a minimum of domains";
  if (needs & VMP__NEED_DEPEND) return "dependencies between groups";
  if (needs & VMP__NEED_TERMS)
    return "the rebalancing objective terms (safety, ratio balance, group "
           "and host moves, soft spread and dependencies)";
  return "";
}

/* ---- the rebalancing part of the objective, from the model ------------------------ */

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Sorted distinct domains of the placed VMs in list vms; *placed their
 * number. */
static size_t placed_domains(const vmp__model *m, const uint32_t *dom,
                             const uint32_t *vms, uint32_t n,
                             const int32_t *vh, uint32_t *buf,
                             size_t *placed) {
  size_t k = 0, d = 0;
  for (uint32_t j = 0; j < n; j++) {
    int32_t h = vh[vms[j]];
    if (h >= 0) buf[k++] = dom[h];
  }
  (void)m;
  *placed = k;
  qsort(buf, k, sizeof *buf, cmp_u32);
  for (size_t j = 0; j < k; j++)
    if (!d || buf[j] != buf[d - 1]) buf[d++] = buf[j];
  return d;
}

static double soft_constraints(const vmp__model *m, const int32_t *vh,
                               uint32_t *buf) {
  double obj = 0.0;
  for (uint32_t s = 0; s < m->nspreads; s++) {
    const vmp__mspread *sp = &m->spreads[s];
    size_t placed, nd, need;
    if (sp->hard) continue;
    nd = placed_domains(m, m->rdoms[sp->doms].dom, sp->vms, sp->nvms, vh, buf,
                        &placed);
    need = sp->min_domains < placed ? sp->min_domains : placed;
    if (nd < need) obj += sp->weight * (double)(need - nd);
  }
  for (uint32_t d = 0; d < m->ndeps; d++) {
    const vmp__mdep *dp = &m->deps[d];
    const uint32_t *dom = m->rdoms[dp->doms].dom;
    size_t placed, nd;
    if (dp->hard) continue;
    nd = placed_domains(m, dom, dp->b, dp->nb, vh, buf, &placed);
    for (uint32_t k = 0; k < dp->na; k++) {
      int32_t h = vh[dp->a[k]];
      uint32_t x;
      if (h < 0) continue;
      x = dom[h];
      if (!nd || !bsearch(&x, buf, nd, sizeof *buf, cmp_u32)) obj += dp->weight;
    }
  }
  return obj;
}

double vmp__model_objective_reassign(const vmp__model *m, const int32_t *vh,
                                     const double *load) {
  double obj = 0.0, gm = 0.0;
  uint32_t *buf;
  size_t most = 1;
  if (!m->needs) return 0.0;
  if (m->safety)
    for (size_t h = 0; h < m->nhosts; h++)
      for (uint32_t r = 0; r < m->nres; r++) {
        double over = load[h * m->nres + r] - m->safety[h * m->nres + r];
        if (over > 0.0) obj += m->safety_w[r] * over;
      }
  for (uint32_t b = 0; b < m->nratios; b++) {
    const vmp__ratio_term *q = &m->ratios[b];
    for (size_t h = 0; h < m->nhosts; h++) {
      double f1 = m->cap[h * m->nres + q->r1] - load[h * m->nres + q->r1];
      double f2 = m->cap[h * m->nres + q->r2] - load[h * m->nres + q->r2];
      double x = q->target * f1 - f2;
      if (x > 0.0) obj += q->weight * x;
    }
  }
  if (m->hmc_class)
    for (size_t v = 0; v < m->nvms; v++) {
      int32_t c = m->cur[v], h = vh[v];
      uint32_t a, b;
      if (c < 0 || h < 0 || c == h) continue;
      a = m->hmc_class[c];
      b = m->hmc_class[h];
      if (a != VMP__NO_CLASS && b != VMP__NO_CLASS)
        obj += m->w.host_moves * m->hmc[(size_t)a * m->hmc_n + b];
    }
  for (uint32_t g = 0; g < m->ngm; g++) {
    double n = 0.0;
    for (uint32_t k = m->gm_start[g]; k < m->gm_start[g + 1]; k++) {
      uint32_t v = m->gm_vms[k];
      if (m->cur[v] >= 0 && vh[v] >= 0 && vh[v] != m->cur[v]) n += 1.0;
    }
    if (n > gm) gm = n;
  }
  obj += m->w.group_moves * gm;
  for (uint32_t s = 0; s < m->nspreads; s++)
    if (m->spreads[s].nvms > most) most = m->spreads[s].nvms;
  for (uint32_t d = 0; d < m->ndeps; d++)
    if (m->deps[d].nb > most) most = m->deps[d].nb;
  buf = malloc(most * sizeof *buf);
  if (!buf) return HUGE_VAL;
  obj += soft_constraints(m, vh, buf);
  free(buf);
  return obj;
}
