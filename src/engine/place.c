/*
 * Online placement (include/vmplace/place.h): the model is compiled once,
 * the placement lives in a vmp__state, and each arriving VM is placed by
 * the greedy workspace's host trees (solvers/packing.h), whose leaves are
 * refreshed for the one host that changed.
 *
 * The state works on items; a hard host-affinity unit whose VMs arrive one
 * at a time is placed part by part (vmp__state_place_part), so the loads
 * are always those of the VMs actually placed.
 *
 * VMs added while the placer is open live in a problem of the placer's
 * own (`q`: the problem's resources, and its hosts and rules when it has
 * rules, so that they can be evaluated), at index nvms0 + their index in
 * q.  They have no item in the compiled model: each borrows the model's
 * one spare item (its demand and allowed class written in) for the
 * search, and its load goes on the host with no item recorded
 * (vmp__state_add_load).  They belong to no group, so nothing else in the
 * model needs to know them.  Their allowed class comes from the rules,
 * evaluated once per combination of the values the rules read (labels,
 * demands, name, priority) and cached.  Removed VMs keep their slot
 * (indices never move).  A solution after any change is evaluated against
 * a problem built then: the problem without the removed VMs, plus the
 * added ones, with the hosts' maintenance as it is now.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "hardcons.h"
#include "packing.h"
#include "rule.h"
#include "solution_impl.h"

#define ONLINE_SEARCH_NODES 512

enum { VM_ADDED = 1, VM_REMOVED = 2 };

struct vmp_placer {
  const vmp_problem *p;    /* borrowed */
  vmp_problem *q;          /* the added VMs (see above) */
  vmp__model *m;           /* compiled from p, plus the spare item */
  vmp__state st;
  vmp__greedy *g;
  size_t spare;            /* the spare item */
  size_t aclass_cap;       /* capacity of m->aclasses */
  size_t nvms0;            /* VMs of p (those the model knows) */
  uint32_t *vm_host;       /* [vm slot] host or VMP__NO_HOST */
  uint8_t *flags;          /* [vm slot] VM_ADDED, VM_REMOVED */
  uint32_t *vm_aclass;     /* [vm slot] allowed class of an added VM */
  size_t host_cap, flags_cap, aclass_of_cap;
  uint32_t *parts;         /* [nitems] VMs of the item placed */
  uint8_t *maint;          /* [nhosts] in maintenance now */
  int maint_changed;
  size_t nremoved;
  /* allowed classes of added VMs, by the values the rules read */
  vmp__refs refs;
  vmp__pool keys;
  uint32_t *key_class;     /* [key id] class */
  size_t key_class_cap;
  uint32_t any_class;      /* class "every host, no penalty", or UINT32_MAX */
  double seconds;          /* spent in vmp_place and vmp_placer_add_vm */
  size_t placed, failed, added, removed;
  /* the hard rebalancing constraints (see "Transient resources, spread
   * minimums, dependencies" below) */
  vmp__hardcons hd;        /* spread and dependency counts of the VMs of p */
  uint8_t *held;           /* [nvms0] 1: the VM's transient demand is held
                              on its current host as load of its own */
  double *tvec;            /* [nres] scratch */
};

void vmp_placer_free(vmp_placer *pl) {
  if (!pl) return;
  vmp__hardcons_free(&pl->hd); /* reads the model */
  vmp__greedy_free(pl->g);
  vmp__state_free(&pl->st);
  vmp__model_free(pl->m);
  vmp_problem_free(pl->q);
  VMP__FREE_ALL(pl->vm_host, pl->flags, pl->vm_aclass, pl->parts, pl->maint);
  vmp__refs_free(&pl->refs);
  vmp__pool_free(&pl->keys);
  VMP__FREE_ALL(pl->key_class, pl->held, pl->tvec, pl);
}

static size_t num_slots(const vmp_placer *pl) { return pl->nvms0 + pl->q->nvms; }

static const char *vm_name(const vmp_placer *pl, size_t v) {
  return v < pl->nvms0 ? vmp_problem_vm_name(pl->p, v)
                       : vmp_problem_vm_name(pl->q, v - pl->nvms0);
}

/* The demand of added VM v. */
static const double *added_dem(const vmp_placer *pl, size_t v) {
  return pl->q->vm_demand + (v - pl->nvms0) * pl->q->nres;
}

static void add_vm(vmp_placer *pl, size_t v, size_t h) {
  const vmp__model *m = pl->m;
  uint32_t i = m->vm_item[v];
  vmp__state_place_part(&pl->st, i, h, m->dem + v * m->nres);
  pl->parts[i]++;
  pl->vm_host[v] = (uint32_t)h;
  vmp__hardcons_vm_place(&pl->hd, v, h);
}

/* ---- transient resources, spread minimums, dependencies --------------------------
 *
 * A VM of p that runs somewhere (its current host) and is taken off or
 * placed elsewhere holds its transient demand on that host (the copy of
 * its disk is still there).  The placer keeps that hold as load on the
 * current host (vmp__state_add_load), so every capacity check, and the
 * host trees, see it; the hold goes when the VM comes back to its current
 * host or leaves the placer for good.  Added VMs have no current host and
 * hold nothing.  Spread minimums and dependencies (groups of p only: added
 * VMs belong to no group) are counted by the shared tracker
 * (solvers/hardcons.h); a VM goes only where it adds no violated instance
 * (hard_ok).  Taking a VM off is never refused: the solution reports what
 * it breaks. */

/* The transient part of VM v's demand in pl->tvec; 0 when it has none. */
static int transient_vec(vmp_placer *pl, size_t v) {
  const vmp__model *m = pl->m;
  int any = 0;
  for (uint32_t r = 0; r < m->nres; r++) {
    double d = (m->transient >> r & 1u) ? m->dem[v * m->nres + r] : 0.0;
    pl->tvec[r] = d;
    if (d != 0.0) any = 1;
  }
  return any;
}

/* VM v of p holds (hold 1) or stops holding (0) its transient demand on
 * its current host. */
static void set_hold(vmp_placer *pl, size_t v, int hold) {
  int32_t c;
  if (!pl->held || v >= pl->nvms0 || pl->held[v] == hold) return;
  c = pl->m->cur[v];
  if (c < 0 || !transient_vec(pl, v)) return;
  if (hold)
    vmp__state_add_load(&pl->st, (size_t)c, pl->tvec);
  else
    vmp__state_sub_load(&pl->st, (size_t)c, pl->tvec);
  pl->held[v] = (uint8_t)hold;
  vmp__greedy_refresh(pl->g, (size_t)c);
}

/* Whether the spread minimums and dependencies count VM v of p. */
static int hard_tracked(const vmp_placer *pl, size_t v) {
  return pl->hd.on && v < pl->nvms0 && pl->hd.vm_start[v] < pl->hd.vm_start[v + 1];
}

/* How many violated spread or dependency instances VM v of p on host h
 * adds (negative: mends). */
static long hard_delta(vmp_placer *pl, size_t v, size_t h) {
  size_t before = pl->hd.nviol, after;
  if (!hard_tracked(pl, v)) return 0;
  vmp__hardcons_vm_place(&pl->hd, v, h);
  after = pl->hd.nviol;
  vmp__hardcons_vm_unplace(&pl->hd, v, h);
  return (long)after - (long)before;
}

static int hard_ok(vmp_placer *pl, size_t v, size_t h) { return hard_delta(pl, v, h) <= 0; }

/* Room left on h after demand d, summed over resources relative to
 * capacity (best fit: lower is better). */
static double room_after(const vmp_placer *pl, size_t h, const double *d) {
  const vmp__model *m = pl->m;
  double x = 0.0;
  for (uint32_t r = 0; r < m->nres; r++) {
    double c = m->capx[h * m->nres + r];
    if (c > 0.0) x += (c - pl->st.load[h * m->nres + r] - d[r]) / c;
  }
  return x;
}

/* A host for VM v of p (a single-VM item, or the first part of its unit)
 * chosen for the spread minimums and dependencies: among the hosts it fits
 * on, one that mends the most violated instances and adds none, then a
 * used host with the least room left, else the empty one with the lowest
 * cost, the lowest index on ties; -1 when every host it fits on adds one.
 * *delta gets the chosen host's hard_delta.  O(hosts); only VMs of such
 * groups pay it. */
static int32_t hard_choose(vmp_placer *pl, size_t v, long *delta) {
  const vmp__model *m = pl->m;
  uint32_t i = m->vm_item[v];
  int32_t best = -1;
  int best_used = 0;
  long best_d = 0;
  double best_key = 0.0;
  for (size_t h = 0; h < m->nhosts; h++) {
    int used;
    long d;
    double key;
    if (!vmp__state_fits(&pl->st, i, h) || (d = hard_delta(pl, v, h)) > 0) continue;
    used = pl->st.count[h] > 0;
    key = used ? room_after(pl, h, m->idem + (size_t)i * m->nres) : m->cost[h];
    if (best < 0 || d < best_d ||
        (d == best_d && ((used && !best_used) || (used == best_used && key < best_key)))) {
      best = (int32_t)h;
      best_d = d;
      best_used = used;
      best_key = key;
    }
  }
  *delta = best_d;
  return best;
}

/* Makes the per-VM arrays hold n slots (amortised doubling). */
static int reserve_slots(vmp_placer *pl, size_t n) {
  if (vmp__grow(&pl->vm_host, &pl->host_cap, n, sizeof *pl->vm_host) ||
      vmp__grow(&pl->flags, &pl->flags_cap, n, sizeof *pl->flags) ||
      vmp__grow(&pl->vm_aclass, &pl->aclass_of_cap, n, sizeof *pl->vm_aclass))
    return vmp__enomem();
  return 0;
}

/* The placer's problem for added VMs: p's resources, and with rules its
 * hosts and rules too (no VM). */
static int added_problem(const vmp_problem *p, vmp_problem **out) {
  uint8_t *drop;
  int rc;
  if (p->nrules) {
    if (!(drop = malloc(p->nvms + 1))) return vmp__enomem();
    memset(drop, 1, p->nvms + 1);
    rc = vmp__problem_clone_without(p, drop, out);
    free(drop);
    return rc;
  }
  if ((rc = vmp_problem_new(out))) return rc;
  for (uint32_t r = 0; r < p->nres && !rc; r++)
    rc = vmp_problem_add_resource(*out, vmp_problem_resource_name(p, r), NULL);
  if (rc) {
    vmp_problem_free(*out);
    *out = NULL;
  }
  return rc;
}

static int open_tables(vmp_placer *pl) {
  const vmp_problem *p = pl->p;
  int rc = 0;
  pl->nvms0 = p->nvms;
  pl->any_class = UINT32_MAX;
  vmp__refs_init(&pl->refs);
  if ((rc = vmp__pool_init(&pl->keys))) return rc;
  for (size_t r = 0; r < pl->q->nrules && !rc; r++) {
    if (pl->q->rules[r].when) rc = vmp__expr_refs(pl->q->rules[r].when, &pl->refs);
    if (!rc) rc = vmp__expr_refs(pl->q->rules[r].require, &pl->refs);
  }
  if (rc) return rc;
  if ((rc = reserve_slots(pl, p->nvms + 1))) return rc;
  pl->parts = calloc(pl->m->nitems + 1, sizeof *pl->parts);
  pl->maint = malloc(p->nhosts + 1);
  if (!pl->parts || !pl->maint) return vmp__enomem();
  memset(pl->flags, 0, p->nvms + 1);
  if (p->nhosts) memcpy(pl->maint, p->host_maintenance, p->nhosts);
  return 0;
}

/* The spread and dependency tracker, and the transient holds. */
static int open_hard(vmp_placer *pl) {
  const vmp__model *m = pl->m;
  int rc;
  if ((rc = vmp__hardcons_init(&pl->hd, m))) return rc;
  if (!(pl->tvec = calloc(m->nres + 1, sizeof *pl->tvec))) return vmp__enomem();
  if ((m->needs & VMP__NEED_TRANSIENT) && !(pl->held = calloc(pl->nvms0 + 1, 1)))
    return vmp__enomem();
  return 0;
}

int vmp_placer_new(const vmp_problem *p, const vmp_solve_opts *opts_in, vmp_placer **out) {
  vmp_solve_opts opts;
  vmp_placer *pl;
  const char *rule_name;
  int rc, rule;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  if ((rc = vmp__engine_load_solve_opts(&opts, opts_in))) return rc;
  rule_name = vmp_params_get(opts.params, "greedy.online_rule");
  /* The parameter was checked when set; only a missing one is defaulted. */
  if (!rule_name) rule_name = vmp__greedy_rule_name(vmp__greedy_default_online_rule());
  if ((rule = vmp__greedy_rule_find(rule_name)) < 0)
    return vmp__error(VMP_EINVAL, "greedy.online_rule: unknown rule \"%s\"", rule_name);
  if (!(pl = calloc(1, sizeof *pl))) return vmp__enomem();
  pl->p = p;
  if ((rc = vmp__model_compile_units(p, &pl->m)) || (rc = added_problem(p, &pl->q))) {
    vmp_placer_free(pl);
    return rc;
  }
  /* The spare item goes in before the state and the workspace size their
   * per-item arrays. */
  if ((rc = vmp__model_add_spare_item(pl->m, &pl->spare)) ||
      (rc = vmp__state_init(&pl->st, pl->m)) || (rc = vmp__greedy_new(pl->m, &pl->g)) ||
      (rc = open_tables(pl)) || (rc = open_hard(pl))) {
    vmp_placer_free(pl);
    return rc;
  }
  /* Running VMs stay where they are, whatever they break. */
  for (size_t v = 0; v < p->nvms; v++) {
    pl->vm_host[v] = VMP__NO_HOST;
    if (p->vm_host[v] != VMP__NO_HOST) add_vm(pl, v, p->vm_host[v]);
  }
  /* Bounded latency: a best-fit search looks at most this many tree
   * nodes (the most promising first) per arrival. */
  vmp__greedy_set_search_budget(pl->g, ONLINE_SEARCH_NODES);
  if ((rc = vmp__greedy_bind(pl->g, &pl->st, rule))) {
    vmp_placer_free(pl);
    return rc;
  }
  *out = pl;
  return 0;
}

/* ---- VMs added after open ---------------------------------------------------------- */

static int add_class(vmp_placer *pl, uint64_t *bits, double *soft, uint32_t *id) {
  int rc = vmp__model_add_aclass(pl->m, &pl->aclass_cap, bits, soft, id);
  if (!rc) rc = vmp__greedy_classes_added(pl->g);
  return rc;
}

/* The class of added VM v when no rule restricts it: every host. */
static int any_class(vmp_placer *pl, uint32_t *id) {
  int rc;
  if (pl->any_class == UINT32_MAX && (rc = add_class(pl, NULL, NULL, &pl->any_class)))
    return rc;
  *id = pl->any_class;
  return 0;
}

/* Evaluates every rule for added VM v on every host: the hosts a hard rule
 * forbids, and the soft penalties, as compile.c does for a VM group. */
static int eval_class(vmp_placer *pl, size_t v, uint32_t *id) {
  const vmp_problem *q = pl->q; /* v: the VM's index in q */
  const vmp__model *m = pl->m;
  size_t nh = q->nhosts, nw = (nh + 63) / 64;
  uint64_t *bits = NULL;
  double *soft = NULL;
  for (size_t r = 0; r < q->nrules; r++) {
    const vmp__rule *ru = &q->rules[r];
    int when_host = ru->when && vmp__expr_uses_host(ru->when);
    if (ru->when && !when_host && !vmp__expr_eval(ru->when, q, (uint32_t)v, VMP__NO_HOST))
      continue;
    if (!ru->hard && !(ru->weight * m->w.soft > 0.0)) continue;
    for (size_t h = 0; h < nh; h++) {
      if (when_host && !vmp__expr_eval(ru->when, q, (uint32_t)v, (uint32_t)h)) continue;
      if (vmp__expr_eval(ru->require, q, (uint32_t)v, (uint32_t)h)) continue;
      if (ru->hard) {
        if (!bits) {
          if (!(bits = malloc((nw ? nw : 1) * sizeof *bits))) goto nomem;
          memset(bits, 0xff, nw * sizeof *bits);
        }
        bits[h >> 6] &= ~(UINT64_C(1) << (h & 63));
      } else {
        if (!soft && !(soft = calloc(nh ? nh : 1, sizeof *soft))) goto nomem;
        soft[h] += ru->weight * m->w.soft;
      }
    }
  }
  if (!bits && !soft) return any_class(pl, id);
  return add_class(pl, bits, soft, id);
nomem:
  free(bits);
  free(soft);
  return vmp__enomem();
}

static void hex_u64(char **at, uint64_t x, int digits) {
  static const char hex[] = "0123456789abcdef";
  for (int k = digits - 1; k >= 0; k--) *(*at)++ = hex[(x >> (4 * k)) & 15];
}

/* The allowed class of added VM v (its index in q): cached by the values
 * the rules read. */
static int vm_class(vmp_placer *pl, size_t v, uint32_t *id) {
  const vmp_problem *q = pl->q;
  const vmp__refs *refs = &pl->refs;
  char stack[512], *key = stack, *at;
  size_t need = 2 + 8 * refs->n_vm_keys + 16 * q->nres + 16;
  uint32_t kid;
  int rc;
  if (!q->nrules) return any_class(pl, id);
  if (need > sizeof stack && !(key = malloc(need))) return vmp__enomem();
  at = key;
  *at++ = 'k';
  for (size_t k = 0; k < refs->n_vm_keys; k++)
    hex_u64(&at, vmp__labels_get(&q->vm_labels[v], refs->vm_keys[k]), 8);
  for (uint32_t r = 0; r < q->nres; r++)
    if (refs->vm_demand >> r & 1) {
      uint64_t u;
      memcpy(&u, &q->vm_demand[v * q->nres + r], sizeof u);
      hex_u64(&at, u, 16);
    }
  if (refs->vm_name) hex_u64(&at, q->vm_name[v], 8);
  if (refs->vm_priority) hex_u64(&at, (uint32_t)q->vm_priority[v], 8);
  *at = '\0';
  if ((kid = vmp__pool_find(&pl->keys, key)) != 0) {
    *id = pl->key_class[kid];
    rc = 0;
  } else if (!(rc = eval_class(pl, v, id)) && !(rc = vmp__pool_intern(&pl->keys, key, &kid)) &&
             !(rc = vmp__grow(&pl->key_class, &pl->key_class_cap, (size_t)kid + 1,
                              sizeof *pl->key_class))) {
    pl->key_class[kid] = *id;
  }
  if (key != stack) free(key);
  return rc;
}

/* Places added VM v through the spare item. */
static int32_t place_added(vmp_placer *pl, size_t v) {
  vmp__model *m = pl->m;
  const double *d = added_dem(pl, v);
  size_t s = pl->spare;
  int32_t h;
  memcpy(m->idem + s * m->nres, d, m->nres * sizeof *d);
  m->item_aclass[s] = pl->vm_aclass[v];
  m->item_unplaceable[s] = VMP__PLACEABLE;
  vmp__greedy_item_changed(pl->g, s);
  h = vmp__greedy_choose(pl->g, s);
  m->item_unplaceable[s] = VMP__NO_ALLOWED_HOST;
  if (h >= 0) {
    vmp__state_add_load(&pl->st, (size_t)h, d);
    vmp__greedy_refresh(pl->g, (size_t)h);
    pl->vm_host[v] = (uint32_t)h;
  }
  return h;
}

static void unplace_added(vmp_placer *pl, size_t v) {
  uint32_t h = pl->vm_host[v];
  vmp__state_sub_load(&pl->st, h, added_dem(pl, v));
  pl->vm_host[v] = VMP__NO_HOST;
  vmp__greedy_refresh(pl->g, h);
}

/* Makes q's VM k (a removed added VM) a fresh one: new demand, no label. */
static int revive(vmp_placer *pl, size_t k, const double *demand) {
  vmp_problem *q = pl->q;
  int rc;
  for (uint32_t r = 0; r < q->nres; r++)
    if ((rc = vmp_problem_set_vm_demand(q, k, r, demand ? demand[r] : 0.0))) return rc;
  q->vm_labels[k].n = 0;
  return 0;
}

/* Finds VM `name` in the placer (an added VM first: a removed VM of the
 * problem may have come back as one): its slot, or VMP_ENOTFOUND naming
 * it. */
static int find_live(const vmp_placer *pl, const char *name, size_t *v) {
  uint32_t k;
  int seen = 0;
  if (vmp__strmap_get(&pl->q->vm_index, name, &k)) {
    seen = 1;
    if (!(pl->flags[pl->nvms0 + k] & VM_REMOVED)) {
      *v = pl->nvms0 + k;
      return 0;
    }
  }
  if (vmp__strmap_get(&pl->p->vm_index, name, &k)) {
    seen = 1;
    if (!(pl->flags[k] & VM_REMOVED)) {
      *v = k;
      return 0;
    }
  }
  if (seen) return vmp__error(VMP_ENOTFOUND, "VM \"%s\" was removed from the placer", name);
  return vmp__error(VMP_ENOTFOUND, "unknown VM \"%s\"", name);
}

int vmp_placer_find_vm(const vmp_placer *pl, const char *name, size_t *vm) {
  size_t v;
  int rc;
  if (vm) *vm = VMP_NONE;
  if (!pl || !name) return vmp__error(VMP_EINVAL, "placer or name is NULL");
  if ((rc = find_live(pl, name, &v))) return rc;
  if (vm) *vm = v;
  return 0;
}

size_t vmp_placer_num_vms(const vmp_placer *pl) { return pl ? num_slots(pl) : 0; }

const char *vmp_placer_vm_name(const vmp_placer *pl, size_t vm) {
  if (!pl || vm >= num_slots(pl) || (pl->flags[vm] & VM_REMOVED)) return NULL;
  return vm_name(pl, vm);
}

size_t vmp_placer_vm_host(const vmp_placer *pl, size_t vm) {
  if (!pl || vm >= num_slots(pl) || pl->vm_host[vm] == VMP__NO_HOST) return VMP_NONE;
  return pl->vm_host[vm];
}

int vmp_placer_add_vm(vmp_placer *pl, const char *name, const double *demand,
                      const char *const *label_keys, const char *const *label_values,
                      size_t nlabels, size_t *vm, size_t *host) {
  vmp_problem *q;
  double t0 = vmp__now();
  size_t v, k;
  uint32_t id;
  int32_t h;
  int rc;
  if (vm) *vm = VMP_NONE;
  if (host) *host = VMP_NONE;
  if (!pl) return vmp__error(VMP_EINVAL, "placer is NULL");
  if (!name) return vmp__error(VMP_EINVAL, "name is NULL");
  if (nlabels && (!label_keys || !label_values))
    return vmp__error(VMP_EINVAL, "labels: %zu labels but no keys or values", nlabels);
  if (find_live(pl, name, &v) == 0)
    return vmp__error(VMP_EEXIST, "VM \"%s\" is in the placer already", name);
  q = pl->q;
  if (vmp__strmap_get(&q->vm_index, name, &id)) {
    /* an added VM that was removed: the same slot again */
    k = id;
    if ((rc = revive(pl, k, demand))) return rc;
  } else {
    if ((rc = reserve_slots(pl, num_slots(pl) + 1))) return rc;
    if ((rc = vmp_problem_add_vm(q, name, demand, &k))) return rc;
    /* Until the VM is complete its slot counts as removed: a failure below
     * leaves no trace but a name that may be added again. */
    pl->flags[pl->nvms0 + k] = VM_ADDED | VM_REMOVED;
    pl->vm_host[pl->nvms0 + k] = VMP__NO_HOST;
    pl->nremoved++;
  }
  v = pl->nvms0 + k;
  for (size_t j = 0; j < nlabels; j++) {
    if (!label_keys[j] || !label_values[j])
      return vmp__error(VMP_EINVAL, "labels[%zu]: key or value is NULL", j);
    if ((rc = vmp_problem_set_vm_label(q, k, label_keys[j], label_values[j]))) return rc;
  }
  if ((rc = vm_class(pl, k, &pl->vm_aclass[v]))) return rc;
  pl->flags[v] = VM_ADDED;
  pl->nremoved--;
  pl->added++;
  if ((h = place_added(pl, v)) >= 0) {
    pl->placed++;
    if (host) *host = (size_t)h;
  } else {
    pl->failed++;
  }
  if (vm) *vm = v;
  pl->seconds += vmp__now() - t0;
  return 0;
}

/* ---- placing and taking off ---------------------------------------------------------- */

/* Whether VM v alone fits on host h, which holds its unit already. */
static int part_fits(const vmp_placer *pl, size_t v, size_t h) {
  const vmp__model *m = pl->m;
  const double *l = pl->st.load + h * m->nres, *c = m->capx + h * m->nres;
  const double *d = m->dem + v * m->nres;
  uint32_t i = m->vm_item[v];
  if (!vmp__model_allowed(m, i, h)) return 0;
  for (uint32_t r = 0; r < m->nres; r++)
    if (l[r] + d[r] > c[r]) return 0;
  return vmp__state_groups_ok(&pl->st, i, h);
}

/* The common checks of the index calls: 0, or an error. */
static int check_slot(const vmp_placer *pl, size_t vm) {
  if (!pl) return vmp__error(VMP_EINVAL, "placer is NULL");
  if (vm >= num_slots(pl))
    return vmp__error(VMP_EINVAL, "VM index %zu out of range (%zu VMs)", vm, num_slots(pl));
  if (pl->flags[vm] & VM_REMOVED)
    return vmp__error(VMP_ESTATE, "VM %s was removed from the placer", vm_name(pl, vm));
  return 0;
}

int vmp_place(vmp_placer *pl, size_t vm, size_t *host) {
  const vmp__model *m;
  double t0 = vmp__now();
  int32_t h;
  uint32_t i;
  int rc;
  if (host) *host = VMP_NONE;
  if ((rc = check_slot(pl, vm))) return rc;
  m = pl->m;
  if (pl->vm_host[vm] != VMP__NO_HOST)
    return vmp__error(VMP_ESTATE, "VM %s is placed already (on %s)", vm_name(pl, vm),
                      vmp_problem_host_name(pl->p, pl->vm_host[vm]));
  if (pl->flags[vm] & VM_ADDED) {
    h = place_added(pl, vm);
  } else {
    i = m->vm_item[vm];
    /* back on its current host it holds nothing more than it uses: the
     * hold goes while the host is chosen, and comes back if it lands
     * elsewhere */
    set_hold(pl, vm, 0);
    if (pl->parts[i]) {
      /* A partner of its affinity unit is placed: there or nowhere. */
      h = pl->st.host[i];
      if (h >= 0 && (!part_fits(pl, vm, (size_t)h) || !hard_ok(pl, vm, (size_t)h))) h = -1;
    } else {
      h = vmp__greedy_choose(pl->g, i);
      /* The rule's host, unless it adds a violated spread or dependency
       * instance, or another host mends more of those there are. */
      if (h >= 0 && hard_tracked(pl, vm)) {
        long d = hard_delta(pl, vm, (size_t)h), alt_d;
        if (d > 0 || pl->hd.nviol > 0) {
          int32_t alt = hard_choose(pl, vm, &alt_d);
          if (alt >= 0 && (d > 0 || alt_d < d)) h = alt;
          else if (d > 0) h = -1;
        }
      }
    }
    if (h >= 0) {
      add_vm(pl, vm, (size_t)h);
      vmp__greedy_refresh(pl->g, (size_t)h);
    }
    if (m->cur[vm] >= 0 && h != m->cur[vm]) set_hold(pl, vm, 1);
  }
  if (h >= 0) {
    if (host) *host = (size_t)h;
    pl->placed++;
  } else {
    pl->failed++;
  }
  pl->seconds += vmp__now() - t0;
  return 0;
}

/* Takes placed VM vm (of the model) off its host. */
static void unplace_known(vmp_placer *pl, size_t vm) {
  const vmp__model *m = pl->m;
  uint32_t h = pl->vm_host[vm], i = m->vm_item[vm];
  vmp__state_unplace_part(&pl->st, i, h, m->dem + vm * m->nres, --pl->parts[i] == 0);
  /* A unit split over hosts by the current placement: the item follows a
   * part that is still placed. */
  if (pl->parts[i] && pl->st.host[i] == (int32_t)h) {
    for (uint32_t k = m->item_start[i]; k < m->item_start[i + 1]; k++) {
      uint32_t w = m->item_vms[k];
      if (w != vm && pl->vm_host[w] != VMP__NO_HOST) {
        pl->st.host[i] = (int32_t)pl->vm_host[w];
        break;
      }
    }
  }
  pl->vm_host[vm] = VMP__NO_HOST;
  vmp__hardcons_vm_unplace(&pl->hd, vm, h);
  vmp__greedy_refresh(pl->g, h);
  /* leaving its current host: the copy holds its transient demand there */
  if (m->cur[vm] == (int32_t)h) set_hold(pl, vm, 1);
}

static void unplace(vmp_placer *pl, size_t vm) {
  if (pl->flags[vm] & VM_ADDED)
    unplace_added(pl, vm);
  else
    unplace_known(pl, vm);
}

int vmp_placer_remove(vmp_placer *pl, size_t vm) {
  int rc;
  if ((rc = check_slot(pl, vm))) return rc;
  if (pl->vm_host[vm] == VMP__NO_HOST)
    return vmp__error(VMP_ESTATE, "VM %s is not placed", vm_name(pl, vm));
  unplace(pl, vm);
  return 0;
}

int vmp_placer_remove_vm(vmp_placer *pl, const char *name) {
  size_t v;
  int rc;
  if (!pl || !name) return vmp__error(VMP_EINVAL, "placer or name is NULL");
  if ((rc = find_live(pl, name, &v))) return rc;
  if (pl->vm_host[v] != VMP__NO_HOST) unplace(pl, v);
  /* gone for good: no copy is left to hold anything */
  set_hold(pl, v, 0);
  pl->flags[v] |= VM_REMOVED;
  pl->nremoved++;
  pl->removed++;
  return 0;
}

int vmp_placer_set_host_maintenance(vmp_placer *pl, size_t host, int maintenance) {
  if (!pl) return vmp__error(VMP_EINVAL, "placer is NULL");
  if (host >= pl->p->nhosts)
    return vmp__error(VMP_EINVAL, "host index %zu out of range (%zu hosts)", host,
                      pl->p->nhosts);
  maintenance = maintenance != 0;
  if (pl->maint[host] == maintenance) return 0;
  pl->maint[host] = (uint8_t)maintenance;
  pl->maint_changed = 1;
  vmp__model_set_usable(pl->m, host, !maintenance);
  return vmp__greedy_hosts_changed(pl->g, host);
}

/* ---- the placement ------------------------------------------------------------------- */

/* Adds the live added VMs to e (with their labels) and their hosts to vh
 * from *n on. */
static int export_added(const vmp_placer *pl, vmp_problem *e, uint32_t *vh, size_t *n) {
  const vmp_problem *q = pl->q;
  int rc = 0;
  for (size_t k = 0; k < q->nvms && !rc; k++) {
    size_t v = pl->nvms0 + k, u;
    if (pl->flags[v] & VM_REMOVED) continue;
    rc = vmp_problem_add_vm(e, vmp_problem_vm_name(q, k), q->vm_demand + k * q->nres, &u);
    for (size_t j = 0; !rc && j < vmp_problem_vm_num_labels(q, k); j++) {
      const char *key, *val;
      if (!(rc = vmp_problem_vm_label_at(q, k, j, &key, &val)))
        rc = vmp_problem_set_vm_label(e, u, key, val);
    }
    vh[(*n)++] = pl->vm_host[v];
  }
  return rc;
}

/* The problem a solution is evaluated against and its VMs' hosts: p as it
 * is while nothing changed, else p without the removed VMs, with the added
 * ones and the hosts' maintenance now. */
static int export_problem(const vmp_placer *pl, vmp_problem **own, const vmp_problem **ep,
                          uint32_t **vh) {
  const vmp_problem *p = pl->p;
  uint8_t *drop;
  size_t n = 0;
  int rc;
  *own = NULL;
  *ep = p;
  *vh = NULL;
  if (!pl->nremoved && !pl->q->nvms && !pl->maint_changed) return 0;
  if (!(drop = malloc(p->nvms + 1))) return vmp__enomem();
  for (size_t v = 0; v < p->nvms; v++) drop[v] = (pl->flags[v] & VM_REMOVED) != 0;
  rc = vmp__problem_clone_without(p, drop, own);
  if (!rc && !(*vh = malloc((num_slots(pl) + 1) * sizeof **vh))) rc = vmp__enomem();
  if (!rc) {
    for (size_t v = 0; v < p->nvms; v++)
      if (!drop[v]) (*vh)[n++] = pl->vm_host[v];
    for (size_t h = 0; h < p->nhosts; h++)
      if ((rc = vmp_problem_set_host_maintenance(*own, h, pl->maint[h]))) break;
  }
  if (!rc) rc = export_added(pl, *own, *vh, &n);
  free(drop);
  if (rc) {
    vmp_problem_free(*own);
    free(*vh);
    *own = NULL;
    *vh = NULL;
    return rc;
  }
  *ep = *own;
  return 0;
}

int vmp_placer_solution(const vmp_placer *pl, vmp_solution **out) {
  vmp__solution_info info;
  const char *names[5] = {"place.placed", "place.failed", "place.seconds", "place.added",
                          "place.removed"};
  double values[5];
  vmp_problem *own;
  const vmp_problem *ep;
  uint32_t *vh;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!pl) return vmp__error(VMP_EINVAL, "placer is NULL");
  values[0] = (double)pl->placed;
  values[1] = (double)pl->failed;
  values[2] = pl->seconds;
  values[3] = (double)pl->added;
  values[4] = (double)pl->removed;
  memset(&info, 0, sizeof info);
  info.solver = "online";
  info.stop_reason = VMP_STOP_COMPLETED;
  if ((rc = export_problem(pl, &own, &ep, &vh))) return rc;
  /* The placer's model merges hard affinity groups into units, which
   * would bound a stricter problem: the bound comes from the problem's own
   * model. */
  {
    vmp__model *bm = NULL;
    info.bound = vmp__model_compile(ep, &bm) == 0 ? vmp__model_bound(bm) : 0.0;
    vmp__model_free(bm);
  }
  info.time_s = pl->seconds;
  info.stat_names = names;
  info.stat_values = values;
  info.nstats = 5;
  rc = vmp__solution_build(ep, vh ? vh : pl->vm_host, &info, out);
  free(vh);
  vmp_problem_free(own);
  return rc;
}
