/*
 * The compile step: one pass from the user's problem to
 * the dense model every solver reads (model.h).
 *
 *  1. hosts and VMs as structure-of-arrays, effective capacities;
 *  2. rules: VMs (and hosts) that no rule can tell apart are grouped by the
 *     values of the operands the rules read, and each rule is evaluated once
 *     per pair of groups, so a million VMs with three rules cost a few
 *     thousand evaluations, not 10^11;
 *  3. allowed-host classes: rules, allowed_hosts and pins combined and
 *     deduplicated;
 *  4. items: hard host-affinity groups merged with a union-find;
 *  5. scopes, groups, unplaceable items, host classes (symmetry).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "reassign_impl.h"
#include "rule.h"

/* Rules are evaluated once per (VM group, host group) pair; beyond this
 * many evaluations compile refuses (rules that read vm.name and host.name
 * on a huge datacenter).  Documented in docs/formats.md. */
#define RULE_EVAL_BUDGET 200000000.0

/* ---- tuple interning: byte strings -> dense ids -------------------------- */

typedef struct tuples {
  unsigned char *data;     /* concatenated tuples */
  size_t len, cap;
  size_t *off;             /* id -> offset; off[id+1]-off[id] = size */
  size_t n, off_cap;
  uint32_t *slots;         /* hash table of id+1, 0 = empty */
  size_t nslots;
} tuples;

static void tuples_free(tuples *t) {
  free(t->data);
  free(t->off);
  free(t->slots);
  memset(t, 0, sizeof *t);
}

static int tuples_rehash(tuples *t, size_t nslots) {
  uint32_t *s = calloc(nslots, sizeof *s);
  if (!s) return vmp__enomem();
  for (size_t id = 0; id < t->n; id++) {
    size_t sz = t->off[id + 1] - t->off[id];
    size_t k = (size_t)vmp__hash_bytes(t->data + t->off[id], sz, 0) & (nslots - 1);
    while (s[k]) k = (k + 1) & (nslots - 1);
    s[k] = (uint32_t)(id + 1);
  }
  free(t->slots);
  t->slots = s;
  t->nslots = nslots;
  return 0;
}

/* Interns key[0..size); sets *id and *fresh (1 when new). */
static int tuples_intern(tuples *t, const void *key, size_t size, uint32_t *id,
                         int *fresh) {
  size_t k;
  uint64_t h = vmp__hash_bytes(key, size, 0);
  if ((t->n + 1) * 2 > t->nslots) {
    int rc = tuples_rehash(t, t->nslots ? t->nslots * 2 : 64);
    if (rc) return rc;
  }
  for (k = (size_t)h & (t->nslots - 1); t->slots[k]; k = (k + 1) & (t->nslots - 1)) {
    size_t cand = t->slots[k] - 1;
    size_t sz = t->off[cand + 1] - t->off[cand];
    if (sz == size && !memcmp(t->data + t->off[cand], key, size)) {
      *id = (uint32_t)cand;
      if (fresh) *fresh = 0;
      return 0;
    }
  }
  if (t->n == 0) {
    if (vmp__grow(&t->off, &t->off_cap, 2, sizeof *t->off)) return VMP_ENOMEM;
    t->off[0] = 0;
  }
  if (vmp__grow(&t->data, &t->cap, t->len + size + 1, 1) ||
      vmp__grow(&t->off, &t->off_cap, t->n + 2, sizeof *t->off))
    return VMP_ENOMEM;
  if (size) memcpy(t->data + t->len, key, size);
  t->len += size;
  t->off[t->n + 1] = t->len;
  t->slots[k] = (uint32_t)(t->n + 1);
  *id = (uint32_t)t->n++;
  if (fresh) *fresh = 1;
  return 0;
}

/* ---- small helpers --------------------------------------------------------- */

static size_t words_for(size_t nhosts) { return (nhosts + 63) / 64; }

static uint64_t *bits_new_all(size_t nhosts) {
  size_t nw = words_for(nhosts);
  uint64_t *b = malloc((nw ? nw : 1) * sizeof *b);
  if (!b) return NULL;
  memset(b, 0xff, nw * sizeof *b);
  if (nhosts & 63) b[nw - 1] = (UINT64_C(1) << (nhosts & 63)) - 1;
  return b;
}

static void bits_clear(uint64_t *b, size_t h) { b[h >> 6] &= ~(UINT64_C(1) << (h & 63)); }
static void bits_set(uint64_t *b, size_t h) { b[h >> 6] |= UINT64_C(1) << (h & 63); }

/* The most the rebalancing terms can cost in any placement that respects
 * capacities (generous where free capacity could go negative). */
static double reassign_ceiling(const vmp_problem *p, const vmp__weights *w) {
  double other = 0.0, most = 0.0;
  for (uint32_t r = 0; vmp__has_safety(p) && r < p->nres; r++) {
    double total = 0.0;
    for (size_t v = 0; v < p->nvms; v++) total += p->vm_demand[v * p->nres + r];
    other += w->safety * p->res_safety_weight[r] * total;
  }
  for (size_t b = 0; b < p->nratios; b++) {
    const vmp__ratio_term *q = &p->ratios[b];
    double sum = 0.0;
    for (size_t h = 0; h < p->nhosts; h++)
      sum += q->target * vmp_problem_host_effective_capacity(p, h, q->r1);
    for (size_t v = 0; v < p->nvms; v++) sum += p->vm_demand[v * p->nres + q->r2];
    other += w->ratio * q->weight * sum;
  }
  for (size_t k = 0; k < (size_t)p->hmc_n * p->hmc_n; k++)
    if (p->hmc[k] > most) most = p->hmc[k];
  other += w->host_moves * most * (double)p->nvms;
  other += w->group_moves * (double)p->nvms;
  for (size_t d = 0; d < p->ndeps; d++)
    if (!p->deps[d].hard)
      other += w->soft * p->deps[d].weight * p->groups[p->deps[d].group].nvms;
  return other;
}

void vmp__effective_weights(const vmp_problem *p, vmp__weights *w) {
  double other = 1.0;
  *w = p->w;
  if (w->unplaced >= 0.0) return;
  /* Larger than every other term of any placement together: all hosts'
   * cost, every migration, every soft penalty, balance at its worst (a
   * utilisation of 1 when feasible, but be generous). */
  for (size_t h = 0; h < p->nhosts; h++) other += w->cost * p->host_cost[h];
  if (w->migrations > 0.0)
    for (size_t v = 0; v < p->nvms; v++)
      other += w->migrations * vmp__vm_migration_cost(p, v);
  if (w->soft > 0.0) {
    for (size_t r = 0; r < p->nrules; r++)
      if (!p->rules[r].hard) other += w->soft * p->rules[r].weight * (double)p->nvms;
    for (size_t g = 0; g < p->ngroups; g++)
      if (!p->groups[g].hard)
        other += w->soft * p->groups[g].weight * (double)p->groups[g].nvms;
  }
  other += w->balance * 2.0;
  other += reassign_ceiling(p, w);
  /* Round up to a power of ten so objective values stay readable. */
  w->unplaced = pow(10.0, ceil(log10(other)));
}

/* ---- compile state ------------------------------------------------------------ */

typedef struct cctx {
  const vmp_problem *p;
  vmp__model *m;
  /* rule grouping */
  uint32_t *vm_rclass;     /* [nvms] rule class of each VM */
  uint32_t nrclass;
  uint32_t *host_sig;      /* [nhosts] host signature class */
  uint32_t nhsig;
  uint32_t *hsig_rep;      /* [nhsig] representative host */
  uint32_t *rclass_rep;    /* [nrclass] representative VM */
  uint64_t **rclass_bits;  /* [nrclass] allowed by hard rules (NULL = all) */
  double **rclass_soft;    /* [nrclass] soft-rule penalty per host or NULL */
  uint32_t *vm_aclass;     /* [nvms] */
  tuples aclass_keys;
  size_t rclass_cap, hsig_cap, aclass_cap, scope_cap;
  int merge_all;           /* every hard host-affinity group is one unit */
} cctx;

static int append_u32(unsigned char **buf, size_t *len, size_t *cap, uint32_t v) {
  if (vmp__grow(buf, cap, *len + 4, 1)) return VMP_ENOMEM;
  memcpy(*buf + *len, &v, 4);
  *len += 4;
  return 0;
}

static int append_f64(unsigned char **buf, size_t *len, size_t *cap, double v) {
  if (vmp__grow(buf, cap, *len + 8, 1)) return VMP_ENOMEM;
  memcpy(*buf + *len, &v, 8);
  *len += 8;
  return 0;
}

/* Groups VMs by the values of the vm.* operands the rules read, and hosts
 * by the host.* operands. */
static int group_by_operands(cctx *c, const vmp__refs *refs) {
  const vmp_problem *p = c->p;
  tuples vt = {0}, ht = {0};
  unsigned char *key = NULL;
  size_t klen, kcap = 0;
  int rc = 0, fresh;
  c->vm_rclass = malloc((p->nvms ? p->nvms : 1) * sizeof *c->vm_rclass);
  c->host_sig = malloc((p->nhosts ? p->nhosts : 1) * sizeof *c->host_sig);
  if (!c->vm_rclass || !c->host_sig) return vmp__enomem();
  for (size_t v = 0; v < p->nvms && !rc; v++) {
    klen = 0;
    for (size_t k = 0; k < refs->n_vm_keys && !rc; k++)
      rc = append_u32(&key, &klen, &kcap,
                      vmp__labels_get(&p->vm_labels[v], refs->vm_keys[k]));
    for (uint32_t r = 0; r < p->nres && !rc; r++)
      if (refs->vm_demand >> r & 1)
        rc = append_f64(&key, &klen, &kcap, p->vm_demand[v * p->nres + r]);
    if (!rc && refs->vm_name) rc = append_u32(&key, &klen, &kcap, p->vm_name[v]);
    if (!rc && refs->vm_priority)
      rc = append_u32(&key, &klen, &kcap, (uint32_t)p->vm_priority[v]);
    if (!rc) rc = tuples_intern(&vt, key ? key : (unsigned char *)"", klen,
                                &c->vm_rclass[v], &fresh);
    if (!rc && fresh) {
      rc = vmp__grow(&c->rclass_rep, &c->rclass_cap, c->nrclass + 1,
                     sizeof *c->rclass_rep);
      if (!rc) c->rclass_rep[c->nrclass++] = (uint32_t)v;
    }
  }
  for (size_t h = 0; h < p->nhosts && !rc; h++) {
    klen = 0;
    for (size_t k = 0; k < refs->n_host_keys && !rc; k++)
      rc = append_u32(&key, &klen, &kcap,
                      vmp__labels_get(&p->host_labels[h], refs->host_keys[k]));
    for (uint32_t r = 0; r < p->nres && !rc; r++)
      if (refs->host_capacity >> r & 1)
        rc = append_f64(&key, &klen, &kcap, p->host_capacity[h * p->nres + r]);
    if (!rc && refs->host_name) rc = append_u32(&key, &klen, &kcap, p->host_name[h]);
    if (!rc && refs->host_cost) rc = append_f64(&key, &klen, &kcap, p->host_cost[h]);
    if (!rc) rc = tuples_intern(&ht, key ? key : (unsigned char *)"", klen,
                                &c->host_sig[h], &fresh);
    if (!rc && fresh) {
      rc = vmp__grow(&c->hsig_rep, &c->hsig_cap, c->nhsig + 1,
                     sizeof *c->hsig_rep);
      if (!rc) c->hsig_rep[c->nhsig++] = (uint32_t)h;
    }
  }
  free(key);
  tuples_free(&vt);
  tuples_free(&ht);
  return rc;
}

static int eval_rules(cctx *c) {
  const vmp_problem *p = c->p;
  const vmp__model *m = c->m;
  vmp__refs refs;
  int rc = 0;
  uint8_t *hsig_ok = NULL;
  double *hsig_pen = NULL;
  vmp__refs_init(&refs);
  for (size_t r = 0; r < p->nrules && !rc; r++) {
    if (p->rules[r].when) rc = vmp__expr_refs(p->rules[r].when, &refs);
    if (!rc) rc = vmp__expr_refs(p->rules[r].require, &refs);
  }
  if (!rc) rc = group_by_operands(c, &refs);
  vmp__refs_free(&refs);
  if (rc) return rc;
  if ((double)c->nrclass * (double)c->nhsig * (double)p->nrules > RULE_EVAL_BUDGET)
    return vmp__error(VMP_ERANGE,
                      "rules distinguish %u VM groups and %u host groups: "
                      "%.0f rule evaluations exceed the budget of %.0f (rules "
                      "reading vm.name or host.name on very large problems)",
                      (unsigned)c->nrclass, (unsigned)c->nhsig,
                      (double)c->nrclass * (double)c->nhsig * (double)p->nrules,
                      RULE_EVAL_BUDGET);
  c->rclass_bits = calloc(c->nrclass ? c->nrclass : 1, sizeof *c->rclass_bits);
  c->rclass_soft = calloc(c->nrclass ? c->nrclass : 1, sizeof *c->rclass_soft);
  hsig_ok = malloc(c->nhsig ? c->nhsig : 1);
  hsig_pen = malloc((c->nhsig ? c->nhsig : 1) * sizeof *hsig_pen);
  if (!c->rclass_bits || !c->rclass_soft || !hsig_ok || !hsig_pen) {
    free(hsig_ok);
    free(hsig_pen);
    return vmp__enomem();
  }
  for (uint32_t rc_ = 0; rc_ < c->nrclass; rc_++) {
    uint32_t v = c->rclass_rep[rc_];
    int any_bad = 0, any_pen = 0;
    memset(hsig_ok, 1, c->nhsig);
    memset(hsig_pen, 0, c->nhsig * sizeof *hsig_pen);
    for (size_t r = 0; r < p->nrules; r++) {
      const vmp__rule *ru = &p->rules[r];
      int when_host = ru->when && vmp__expr_uses_host(ru->when);
      /* A `when` that reads only the VM is decided once per VM group. */
      if (ru->when && !when_host && !vmp__expr_eval(ru->when, p, v, VMP__NO_HOST))
        continue;
      for (uint32_t s = 0; s < c->nhsig; s++) {
        uint32_t h = c->hsig_rep[s];
        if (when_host && !vmp__expr_eval(ru->when, p, v, h)) continue;
        if (vmp__expr_eval(ru->require, p, v, h)) continue;
        if (ru->hard) {
          hsig_ok[s] = 0;
          any_bad = 1;
        } else if (ru->weight * m->w.soft > 0.0) {
          hsig_pen[s] += ru->weight * m->w.soft;
          any_pen = 1;
        }
      }
    }
    if (any_bad) {
      uint64_t *b = bits_new_all(p->nhosts);
      if (!b) {
        rc = vmp__enomem();
        break;
      }
      for (size_t h = 0; h < p->nhosts; h++)
        if (!hsig_ok[c->host_sig[h]]) bits_clear(b, h);
      c->rclass_bits[rc_] = b;
    }
    if (any_pen) {
      double *s = malloc((p->nhosts ? p->nhosts : 1) * sizeof *s);
      if (!s) {
        rc = vmp__enomem();
        break;
      }
      for (size_t h = 0; h < p->nhosts; h++) s[h] = hsig_pen[c->host_sig[h]];
      c->rclass_soft[rc_] = s;
    }
  }
  free(hsig_ok);
  free(hsig_pen);
  return rc;
}

/* ---- allowed classes ---------------------------------------------------------------- */

/* The class of hosts a VM may use: its rule class combined with its
 * allowed_hosts list and its pin.  Classes are deduplicated by content. */
static int add_aclass(cctx *c, uint64_t *bits, double *soft, uint32_t *id) {
  vmp__model *m = c->m;
  if (vmp__grow(&m->aclasses, &c->aclass_cap, m->naclasses + 1,
                sizeof *m->aclasses)) {
    free(bits);
    free(soft);
    return VMP_ENOMEM;
  }
  m->aclasses[m->naclasses].allowed.bits = bits;
  m->aclasses[m->naclasses].soft = soft;
  *id = m->naclasses++;
  return 0;
}

static int vm_aclasses(cctx *c) {
  const vmp_problem *p = c->p;
  size_t nw = words_for(p->nhosts);
  uint64_t *scratch = malloc((nw ? nw : 1) * sizeof *scratch);
  unsigned char *key = NULL;
  size_t klen, kcap = 0;
  int rc = 0;
  c->vm_aclass = malloc((p->nvms ? p->nvms : 1) * sizeof *c->vm_aclass);
  if (!scratch || !c->vm_aclass) {
    free(scratch);
    return vmp__enomem();
  }
  for (size_t v = 0; v < p->nvms && !rc; v++) {
    uint32_t rcl = c->nrclass ? c->vm_rclass[v] : 0;
    const vmp__hostlist *al = &p->vm_allowed[v];
    int pinned = p->vm_pinned[v];
    uint32_t id;
    int fresh;
    uint64_t *bits;
    double *soft = NULL;
    klen = 0;
    /* Key: rule class, pin host (or none), explicit list. */
    rc = append_u32(&key, &klen, &kcap, rcl);
    if (!rc) rc = append_u32(&key, &klen, &kcap, pinned ? p->vm_host[v] : UINT32_MAX - 1);
    for (uint32_t k = 0; k < al->n && !rc; k++) rc = append_u32(&key, &klen, &kcap, al->h[k]);
    if (!rc) rc = tuples_intern(&c->aclass_keys, key, klen, &id, &fresh);
    if (rc) break;
    if (!fresh) {
      c->vm_aclass[v] = id;
      continue;
    }
    /* A new class: build its bitset. */
    if (!pinned && !al->n && !(c->nrclass && c->rclass_bits[rcl])) {
      bits = NULL;
    } else {
      bits = bits_new_all(p->nhosts);
      if (!bits) {
        rc = vmp__enomem();
        break;
      }
      if (c->nrclass && c->rclass_bits[rcl])
        memcpy(bits, c->rclass_bits[rcl], nw * sizeof *bits);
      if (al->n) {
        memset(scratch, 0, nw * sizeof *scratch);
        for (uint32_t k = 0; k < al->n; k++) bits_set(scratch, al->h[k]);
        for (size_t w = 0; w < nw; w++) bits[w] &= scratch[w];
      }
      if (pinned) {
        uint32_t h = p->vm_host[v];
        int keep = h != VMP__NO_HOST && ((bits[h >> 6] >> (h & 63)) & 1);
        memset(bits, 0, nw * sizeof *bits);
        if (keep) bits_set(bits, h);
      }
    }
    if (c->nrclass && c->rclass_soft[rcl]) {
      soft = malloc((p->nhosts ? p->nhosts : 1) * sizeof *soft);
      if (!soft) {
        free(bits);
        rc = vmp__enomem();
        break;
      }
      memcpy(soft, c->rclass_soft[rcl], p->nhosts * sizeof *soft);
    }
    if ((rc = add_aclass(c, bits, soft, &id))) break;
    c->vm_aclass[v] = id;
  }
  free(key);
  free(scratch);
  return rc;
}

/* ---- items (hard host-affinity units) --------------------------------------------------- */

static uint32_t uf_find(uint32_t *parent, uint32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/* Only all-or-nothing groups become one unit: a plain hard affinity group
 * lets any member stay out, so its members stay items of their own (the
 * group is then a hard group like any scope's) -- except for the online
 * placer, which places a group's first member where the whole group fits
 * (vmp__model_compile_units). */
static int merged_group(const cctx *c, const vmp__group *g) {
  return g->hard && g->policy == VMP_AFFINITY && g->scope == 0 &&
         (g->all_or_nothing || c->merge_all);
}

static int build_items(cctx *c) {
  const vmp_problem *p = c->p;
  vmp__model *m = c->m;
  uint32_t *parent, *root_item, *count;
  size_t nw = words_for(p->nhosts);
  int rc = 0;
  parent = malloc((p->nvms ? p->nvms : 1) * sizeof *parent);
  root_item = malloc((p->nvms ? p->nvms : 1) * sizeof *root_item);
  if (!parent || !root_item) {
    free(parent);
    free(root_item);
    return vmp__enomem();
  }
  for (size_t v = 0; v < p->nvms; v++) parent[v] = (uint32_t)v;
  for (size_t g = 0; g < p->ngroups; g++) {
    const vmp__group *gr = &p->groups[g];
    if (!merged_group(c, gr)) continue;
    for (uint32_t k = 1; k < gr->nvms; k++) {
      uint32_t a = uf_find(parent, gr->vms[0]), b = uf_find(parent, gr->vms[k]);
      if (a != b) parent[b < a ? a : b] = b < a ? b : a;
    }
  }
  /* Items numbered in order of their smallest VM: deterministic. */
  m->nitems = 0;
  for (size_t v = 0; v < p->nvms; v++) {
    uint32_t r = uf_find(parent, (uint32_t)v);
    if (r == v) root_item[v] = (uint32_t)m->nitems++;
  }
  m->vm_item = malloc((p->nvms ? p->nvms : 1) * sizeof *m->vm_item);
  m->item_start = calloc(m->nitems + 1, sizeof *m->item_start);
  m->item_vms = malloc((p->nvms ? p->nvms : 1) * sizeof *m->item_vms);
  m->idem = calloc(m->nitems * m->nres + 1, sizeof *m->idem);
  m->item_aclass = malloc((m->nitems ? m->nitems : 1) * sizeof *m->item_aclass);
  m->item_pen = calloc(m->nitems + 1, sizeof *m->item_pen);
  m->item_cur = malloc((m->nitems ? m->nitems : 1) * sizeof *m->item_cur);
  m->item_mig = calloc(m->nitems + 1, sizeof *m->item_mig);
  m->item_unplaceable = calloc(m->nitems + 1, 1);
  count = calloc(m->nitems + 1, sizeof *count);
  if (!m->vm_item || !m->item_start || !m->item_vms || !m->idem ||
      !m->item_aclass || !m->item_pen || !m->item_cur || !m->item_mig ||
      !m->item_unplaceable || !count) {
    rc = vmp__enomem();
    goto done;
  }
  for (size_t v = 0; v < p->nvms; v++) {
    uint32_t i = root_item[uf_find(parent, (uint32_t)v)];
    m->vm_item[v] = i;
    m->item_start[i + 1]++;
  }
  for (size_t i = 0; i < m->nitems; i++) m->item_start[i + 1] += m->item_start[i];
  for (size_t v = 0; v < p->nvms; v++) {
    uint32_t i = m->vm_item[v];
    m->item_vms[m->item_start[i] + count[i]++] = (uint32_t)v;
  }
  for (size_t i = 0; i < m->nitems && !rc; i++) {
    uint32_t s = m->item_start[i], e = m->item_start[i + 1];
    int32_t cur = -1;
    int same = 1;
    for (uint32_t k = s; k < e; k++) {
      uint32_t v = m->item_vms[k];
      for (uint32_t r = 0; r < m->nres; r++)
        m->idem[i * m->nres + r] += m->dem[v * m->nres + r];
      m->item_pen[i] += m->pen[v];
      if (m->cur[v] >= 0) m->item_mig[i] += m->mig[v] * m->w.migrations;
      if (k == s)
        cur = m->cur[v];
      else if (m->cur[v] != cur)
        cur = -2;
      if (c->vm_aclass[v] != c->vm_aclass[m->item_vms[s]]) same = 0;
    }
    m->item_cur[i] = cur;
    /* A shared class is only right for a unit when it has no soft
     * penalties: those count once per member VM. */
    if (same && (e - s == 1 || !m->aclasses[c->vm_aclass[m->item_vms[s]]].soft)) {
      m->item_aclass[i] = c->vm_aclass[m->item_vms[s]];
      continue;
    }
    /* A unit whose members differ: intersect allowed sets, add soft.
     * Units are rare, so each gets a class of its own. */
    {
      uint64_t *bits = NULL;
      double *soft = NULL;
      for (uint32_t k = s; k < e && !rc; k++) {
        const vmp__aclass *a = &m->aclasses[c->vm_aclass[m->item_vms[k]]];
        if (a->allowed.bits) {
          if (!bits) {
            bits = bits_new_all(p->nhosts);
            if (!bits) {
              rc = vmp__enomem();
              break;
            }
          }
          for (size_t w = 0; w < nw; w++) bits[w] &= a->allowed.bits[w];
        }
        if (a->soft) {
          if (!soft) {
            soft = calloc(p->nhosts ? p->nhosts : 1, sizeof *soft);
            if (!soft) {
              rc = vmp__enomem();
              break;
            }
          }
          for (size_t h = 0; h < p->nhosts; h++) soft[h] += a->soft[h];
        }
      }
      if (rc) {
        free(bits);
        free(soft);
        break;
      }
      rc = add_aclass(c, bits, soft, &m->item_aclass[i]);
    }
  }
done:
  free(count);
  free(parent);
  free(root_item);
  return rc;
}

/* ---- scopes and groups -------------------------------------------------------------------- */

static int scope_index(cctx *c, uint32_t key, uint32_t *out) {
  const vmp_problem *p = c->p;
  vmp__model *m = c->m;
  vmp__scope *s;
  for (uint32_t k = 0; k < m->nscopes; k++)
    if (m->scopes[k].key == key) {
      *out = k;
      return 0;
    }
  if (vmp__grow(&m->scopes, &c->scope_cap, m->nscopes + 1, sizeof *m->scopes))
    return VMP_ENOMEM;
  s = &m->scopes[m->nscopes];
  memset(s, 0, sizeof *s);
  s->key = key;
  if (key == 0) {
    s->ndom = (uint32_t)p->nhosts;
  } else {
    uint32_t *val_dom = NULL;
    size_t val_cap = 0;
    s->dom = malloc((p->nhosts ? p->nhosts : 1) * sizeof *s->dom);
    if (!s->dom) return vmp__enomem();
    /* Label value ids are pool ids: map them to dense domains in order of
     * first appearance.  Hosts without the label are domains of their own. */
    if (vmp__grow(&val_dom, &val_cap, p->pool.nstrs, sizeof *val_dom)) {
      free(s->dom);
      return VMP_ENOMEM;
    }
    memset(val_dom, 0xff, p->pool.nstrs * sizeof *val_dom);
    for (size_t h = 0; h < p->nhosts; h++) {
      uint32_t val = vmp__labels_get(&p->host_labels[h], key);
      if (val == 0) {
        s->dom[h] = s->ndom++;
      } else {
        if (val_dom[val] == UINT32_MAX) val_dom[val] = s->ndom++;
        s->dom[h] = val_dom[val];
      }
    }
    free(val_dom);
  }
  *out = m->nscopes++;
  return 0;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Soft groups per item (CSR), so that solvers can price a move's soft
 * penalty from the item's own groups. */
static int soft_groups_index(vmp__model *m) {
  uint32_t *cnt;
  m->item_sgroups_start = calloc(m->nitems + 2, sizeof *m->item_sgroups_start);
  if (!m->item_sgroups_start) return vmp__enomem();
  for (uint32_t g = 0; g < m->ngroups; g++)
    if (!m->groups[g].hard)
      for (uint32_t k = 0; k < m->groups[g].nitems; k++)
        m->item_sgroups_start[m->groups[g].items[k] + 1]++;
  for (size_t i = 0; i < m->nitems; i++)
    m->item_sgroups_start[i + 1] += m->item_sgroups_start[i];
  m->item_sgroups = malloc((m->item_sgroups_start[m->nitems] + 1) * sizeof *m->item_sgroups);
  cnt = calloc(m->nitems + 1, sizeof *cnt);
  if (!m->item_sgroups || !cnt) {
    free(cnt);
    return vmp__enomem();
  }
  for (uint32_t g = 0; g < m->ngroups; g++)
    if (!m->groups[g].hard)
      for (uint32_t k = 0; k < m->groups[g].nitems; k++) {
        uint32_t i = m->groups[g].items[k];
        m->item_sgroups[m->item_sgroups_start[i] + cnt[i]++] = g;
      }
  free(cnt);
  return 0;
}

static int build_groups(cctx *c) {
  const vmp_problem *p = c->p;
  vmp__model *m = c->m;
  uint32_t *cnt;
  int rc = 0;
  m->groups = calloc(p->ngroups + 1, sizeof *m->groups);
  m->item_groups_start = calloc(m->nitems + 1, sizeof *m->item_groups_start);
  if (!m->groups || !m->item_groups_start) return vmp__enomem();
  for (size_t g = 0; g < p->ngroups && !rc; g++) {
    const vmp__group *gr = &p->groups[g];
    vmp__mgroup *mg;
    uint32_t n = 0;
    if (merged_group(c, gr) || gr->policy == VMP_SPREAD) continue;
    mg = &m->groups[m->ngroups];
    mg->group = (uint32_t)g;
    mg->policy = gr->policy;
    mg->hard = gr->hard;
    mg->weight = gr->weight * m->w.soft;
    if ((rc = scope_index(c, gr->scope, &mg->scope))) break;
    mg->vms = malloc(gr->nvms * sizeof *mg->vms);
    mg->items = malloc(gr->nvms * sizeof *mg->items);
    if (!mg->vms || !mg->items) {
      free(mg->vms);
      free(mg->items);
      rc = vmp__enomem();
      break;
    }
    memcpy(mg->vms, gr->vms, gr->nvms * sizeof *mg->vms);
    mg->nvms = gr->nvms;
    for (uint32_t k = 0; k < gr->nvms; k++) mg->items[k] = m->vm_item[gr->vms[k]];
    qsort(mg->items, gr->nvms, sizeof *mg->items, cmp_u32);
    for (uint32_t k = 0; k < gr->nvms; k++) {
      if (n && mg->items[n - 1] == mg->items[k]) {
        /* Two members of one merged unit share a host, hence a domain. */
        if (gr->hard && gr->policy == VMP_ANTI_AFFINITY)
          m->item_unplaceable[mg->items[k]] = VMP__SELF_CONFLICT;
        continue;
      }
      mg->items[n++] = mg->items[k];
    }
    mg->nitems = n;
    m->ngroups++;
    if (gr->hard)
      for (uint32_t k = 0; k < n; k++) m->item_groups_start[mg->items[k] + 1]++;
    if (!gr->hard) m->has_soft_groups = 1;
  }
  if (rc) return rc;
  for (size_t i = 0; i < m->nitems; i++)
    m->item_groups_start[i + 1] += m->item_groups_start[i];
  m->item_groups = malloc((m->item_groups_start[m->nitems] + 1) * sizeof *m->item_groups);
  cnt = calloc(m->nitems + 1, sizeof *cnt);
  if (!m->item_groups || !cnt) {
    free(cnt);
    return vmp__enomem();
  }
  for (uint32_t g = 0; g < m->ngroups; g++) {
    const vmp__mgroup *mg = &m->groups[g];
    if (!mg->hard) continue;
    for (uint32_t k = 0; k < mg->nitems; k++) {
      uint32_t i = mg->items[k];
      m->item_groups[m->item_groups_start[i] + cnt[i]++] = g;
    }
  }
  free(cnt);
  return soft_groups_index(m);
}

/* ---- unplaceable items ---------------------------------------------------------------------- */

/* An item that fits on no allowed host even when that host is empty can
 * never be placed.  Hosts are grouped by capacity vector first so that a
 * million items against 100,000 hosts costs items x distinct shapes. */
static int mark_unplaceable(cctx *c) {
  vmp__model *m = c->m;
  size_t nh = m->nhosts;
  tuples shapes = {0};
  uint32_t *host_shape = malloc((nh ? nh : 1) * sizeof *host_shape);
  uint32_t nshapes = 0;
  uint8_t *shape_ok = NULL;      /* [aclass * nshapes] has an allowed host */
  int rc = 0;
  if (!host_shape) return vmp__enomem();
  for (size_t h = 0; h < nh && !rc; h++) {
    int fresh;
    rc = tuples_intern(&shapes, m->cap + h * m->nres, m->nres * sizeof(double),
                       &host_shape[h], &fresh);
  }
  nshapes = (uint32_t)shapes.n;
  if (!rc) {
    shape_ok = calloc((size_t)m->naclasses * nshapes + 1, 1);
    if (!shape_ok) rc = vmp__enomem();
  }
  for (uint32_t a = 0; a < m->naclasses && !rc; a++) {
    uint32_t cnt = 0;
    for (size_t h = 0; h < nh; h++) {
      if (!m->usable[h] || !vmp__hostset_has(&m->aclasses[a].allowed, h)) continue;
      shape_ok[(size_t)a * nshapes + host_shape[h]] = 1;
      cnt++;
    }
    m->aclasses[a].allowed.count = cnt;
  }
  for (size_t i = 0; i < m->nitems && !rc; i++) {
    uint32_t a = m->item_aclass[i];
    int fits = 0, any = 0;
    if (m->item_unplaceable[i]) continue;
    for (uint32_t s = 0; s < nshapes && !fits; s++) {
      const double *cap = (const double *)(shapes.data + shapes.off[s]);
      int ok = 1;
      if (!shape_ok[(size_t)a * nshapes + s]) continue;
      any = 1;
      for (uint32_t r = 0; r < m->nres && ok; r++)
        if (m->idem[i * m->nres + r] > cap[r] * (1 + VMP__REL_EPS) + VMP__ABS_EPS) ok = 0;
      fits = ok;
    }
    if (!any)
      m->item_unplaceable[i] = VMP__NO_ALLOWED_HOST;
    else if (!fits)
      m->item_unplaceable[i] = VMP__TOO_LARGE;
  }
  free(shape_ok);
  free(host_shape);
  tuples_free(&shapes);
  return rc;
}

/* ---- host classes (symmetry) ------------------------------------------------------------------- */

/* The value of label `key` on host h for a host-class key; a host
 * without the label gets its own index (tagged), as it is a domain of its
 * own. */
static int append_scope_value(const vmp_problem *p, uint32_t key, size_t h,
                              unsigned char **buf, size_t *len, size_t *cap) {
  uint32_t v = vmp__labels_get(&p->host_labels[h], key);
  int rc = append_u32(buf, len, cap, v ? 0u : 1u);
  if (!rc) rc = append_u32(buf, len, cap, v ? v : (uint32_t)h);
  return rc;
}

/* Hosts are interchangeable when swapping them changes nothing any
 * constraint or objective term can see: capacity, cost, maintenance,
 * membership in every allowed class, soft penalties, domains of every
 * label scope (spread groups and dependencies included), and (when
 * migrations cost something or a resource is transient) the VMs on them
 * now. */
static int host_classes(cctx *c) {
  const vmp_problem *p = c->p;
  vmp__model *m = c->m;
  size_t nh = m->nhosts;
  tuples keys = {0};
  unsigned char *key = NULL;
  size_t klen, kcap = 0;
  uint8_t *has_vm = calloc(nh + 1, 1);
  uint32_t *cnt = NULL;
  /* The distinct labels that spread groups and dependencies take as their
   * scope: thousands of groups share a handful of labels, and a key with
   * one entry per group would take hosts x groups bytes (540 MB on the
   * ROADEF instance b_9). */
  uint32_t *scope_keys = malloc((p->ngroups + p->ndeps + 1) * sizeof *scope_keys);
  size_t nscope_keys = 0;
  int rc = 0, fresh;
  m->hclass = malloc((nh ? nh : 1) * sizeof *m->hclass);
  if (!m->hclass || !has_vm || !scope_keys) {
    free(has_vm);
    free(scope_keys);
    return vmp__enomem();
  }
  for (size_t i = 0; i < p->ngroups + p->ndeps; i++) {
    uint32_t key_id = 0;
    if (i < p->ngroups) {
      if (p->groups[i].policy == VMP_SPREAD) key_id = p->groups[i].scope;
    } else {
      key_id = p->deps[i - p->ngroups].scope;
    }
    size_t j = 0;
    while (j < nscope_keys && scope_keys[j] != key_id) j++;
    if (key_id && j == nscope_keys) scope_keys[nscope_keys++] = key_id;
  }
  if (m->w.migrations > 0.0 || p->res_transient)
    for (size_t v = 0; v < p->nvms; v++)
      if (m->cur[v] >= 0) has_vm[m->cur[v]] = 1;
  for (size_t h = 0; h < nh && !rc; h++) {
    klen = 0;
    for (uint32_t r = 0; r < m->nres && !rc; r++)
      rc = append_f64(&key, &klen, &kcap, m->cap[h * m->nres + r]);
    if (!rc) rc = append_f64(&key, &klen, &kcap, m->cost[h]);
    if (!rc) rc = append_u32(&key, &klen, &kcap, m->usable[h]);
    for (uint32_t a = 0; a < m->naclasses && !rc; a++) {
      const vmp__aclass *ac = &m->aclasses[a];
      if (ac->allowed.bits)
        rc = append_u32(&key, &klen, &kcap, (uint32_t)vmp__hostset_has(&ac->allowed, h));
      if (!rc && ac->soft) rc = append_f64(&key, &klen, &kcap, ac->soft[h]);
    }
    for (uint32_t s = 0; s < m->nscopes && !rc; s++)
      if (m->scopes[s].dom) rc = append_u32(&key, &klen, &kcap, m->scopes[s].dom[h]);
    /* Spread and dependency scopes (not in m->scopes): the label value
     * itself; a host without it is a domain of its own. */
    for (size_t k = 0; k < nscope_keys && !rc; k++)
      rc = append_scope_value(p, scope_keys[k], h, &key, &klen, &kcap);
    if (!rc && has_vm[h]) rc = append_u32(&key, &klen, &kcap, (uint32_t)h);
    if (!rc) rc = tuples_intern(&keys, key, klen, &m->hclass[h], &fresh);
  }
  free(key);
  free(has_vm);
  free(scope_keys);
  m->nhclasses = (uint32_t)keys.n;
  tuples_free(&keys);
  if (rc) return rc;
  m->hclass_start = calloc(m->nhclasses + 2, sizeof *m->hclass_start);
  m->hclass_hosts = malloc((nh ? nh : 1) * sizeof *m->hclass_hosts);
  cnt = calloc(m->nhclasses + 1, sizeof *cnt);
  if (!m->hclass_start || !m->hclass_hosts || !cnt) {
    free(cnt);
    return vmp__enomem();
  }
  for (size_t h = 0; h < nh; h++) m->hclass_start[m->hclass[h] + 1]++;
  for (uint32_t k = 0; k < m->nhclasses; k++) m->hclass_start[k + 1] += m->hclass_start[k];
  for (size_t h = 0; h < nh; h++) {
    uint32_t k = m->hclass[h];
    m->hclass_hosts[m->hclass_start[k] + cnt[k]++] = (uint32_t)h;
  }
  free(cnt);
  return 0;
}

/* ---- the pass ----------------------------------------------------------------------------------- */

static int basic_arrays(cctx *c) {
  const vmp_problem *p = c->p;
  vmp__model *m = c->m;
  size_t nh = p->nhosts, nv = p->nvms, nr = p->nres;
  m->cap = malloc((nh * nr + 1) * sizeof *m->cap);
  m->capx = malloc((nh * nr + 1) * sizeof *m->capx);
  m->cost = malloc((nh + 1) * sizeof *m->cost);
  m->usable = malloc(nh + 1);
  m->dem = malloc((nv * nr + 1) * sizeof *m->dem);
  m->cur = malloc((nv + 1) * sizeof *m->cur);
  m->mig = malloc((nv + 1) * sizeof *m->mig);
  m->pen = malloc((nv + 1) * sizeof *m->pen);
  if (!m->cap || !m->capx || !m->cost || !m->usable || !m->dem || !m->cur ||
      !m->mig || !m->pen)
    return vmp__enomem();
  for (size_t h = 0; h < nh; h++) {
    for (size_t r = 0; r < nr; r++) {
      double e = vmp_problem_host_effective_capacity(p, h, r);
      m->cap[h * nr + r] = e;
      m->capx[h * nr + r] = e * (1 + VMP__REL_EPS) + VMP__ABS_EPS;
    }
    m->cost[h] = p->host_cost[h];
    m->usable[h] = !p->host_maintenance[h];
  }
  if (nv && nr) memcpy(m->dem, p->vm_demand, nv * nr * sizeof *m->dem);
  for (size_t v = 0; v < nv; v++) {
    m->cur[v] = p->vm_host[v] == VMP__NO_HOST ? -1 : (int32_t)p->vm_host[v];
    m->mig[v] = vmp__vm_migration_cost(p, v);
    m->pen[v] = m->w.unplaced * (1.0 + (double)p->vm_priority[v]);
  }
  for (size_t r = 0; r < p->nrules; r++)
    if (!p->rules[r].hard) m->has_soft_rules = 1;
  return 0;
}

static void cctx_free(cctx *c) {
  for (uint32_t k = 0; k < c->nrclass; k++) {
    if (c->rclass_bits) free(c->rclass_bits[k]);
    if (c->rclass_soft) free(c->rclass_soft[k]);
  }
  VMP__FREE_ALL(c->rclass_bits, c->rclass_soft, c->vm_rclass, c->host_sig, c->hsig_rep,
                c->rclass_rep, c->vm_aclass);
  tuples_free(&c->aclass_keys);
}

static int compile(const vmp_problem *p, int merge_all, vmp__model **out) {
  cctx c;
  vmp__model *m;
  int rc;
  *out = NULL;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  m = calloc(1, sizeof *m);
  if (!m) return vmp__enomem();
  memset(&c, 0, sizeof c);
  c.merge_all = merge_all;
  c.p = p;
  c.m = m;
  m->p = p;
  m->nres = p->nres;
  m->nhosts = p->nhosts;
  m->nvms = p->nvms;
  vmp__effective_weights(p, &m->w);
  m->unplaced_auto = p->w.unplaced < 0.0;
  rc = basic_arrays(&c);
  if (!rc && p->nrules) rc = eval_rules(&c);
  if (!rc) rc = vm_aclasses(&c);
  if (!rc && m->naclasses == 0) {
    uint32_t id;
    rc = add_aclass(&c, NULL, NULL, &id);
  }
  if (!rc) rc = build_items(&c);
  if (!rc) rc = build_groups(&c);
  if (!rc) rc = mark_unplaceable(&c);
  if (!rc) rc = host_classes(&c);
  if (!rc) rc = vmp__model_compile_reassign(p, m);
  cctx_free(&c);
  if (rc) {
    vmp__model_free(m);
    return rc;
  }
  *out = m;
  return 0;
}

int vmp__model_compile(const vmp_problem *p, vmp__model **out) {
  return compile(p, 0, out);
}

int vmp__model_compile_units(const vmp_problem *p, vmp__model **out) {
  return compile(p, 1, out);
}

void vmp__model_free(vmp__model *m) {
  if (!m) return;
  vmp__model_free_reassign(m);
  VMP__FREE_ALL(m->cap, m->capx, m->cost, m->usable, m->hclass, m->hclass_start, m->hclass_hosts,
                m->dem, m->cur, m->mig, m->pen, m->vm_item, m->idem, m->item_start, m->item_vms,
                m->item_aclass, m->item_pen, m->item_cur, m->item_mig, m->item_unplaceable,
                m->item_groups_start, m->item_groups, m->item_sgroups_start, m->item_sgroups);
  for (uint32_t a = 0; a < m->naclasses; a++) {
    free(m->aclasses[a].allowed.bits);
    free(m->aclasses[a].soft);
  }
  free(m->aclasses);
  for (uint32_t s = 0; s < m->nscopes; s++) free(m->scopes[s].dom);
  free(m->scopes);
  for (uint32_t g = 0; g < m->ngroups; g++) {
    free(m->groups[g].items);
    free(m->groups[g].vms);
  }
  free(m->groups);
  free(m);
}

double vmp__model_migcost_slow(const vmp__model *m, size_t i, size_t h) {
  double c = 0.0;
  for (uint32_t k = m->item_start[i]; k < m->item_start[i + 1]; k++) {
    uint32_t v = m->item_vms[k];
    if (m->cur[v] >= 0 && (size_t)m->cur[v] != h) c += m->mig[v] * m->w.migrations;
  }
  return c;
}
