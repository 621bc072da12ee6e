/*
 * Online placement (include/vmplace/place.h): the model is compiled once,
 * the placement lives in a vmp__state, and each arriving VM is placed by
 * the greedy workspace's host trees (solvers/packing.h), whose leaves are
 * refreshed for the one host that changed.
 *
 * The state works on items; a hard host-affinity unit whose VMs arrive one
 * at a time is placed part by part (vmp__state_place_part), so the loads
 * are always those of the VMs actually placed.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "packing.h"
#include "solution_impl.h"

#define ONLINE_SEARCH_NODES 512

struct vmp_placer {
  const vmp_problem *p;
  vmp__model *m;
  vmp__state st;
  vmp__greedy *g;
  uint32_t *vm_host;       /* [nvms] host or VMP__NO_HOST */
  uint32_t *parts;         /* [nitems] VMs of the item placed */
  double seconds;          /* spent in vmp_place */
  size_t placed, failed;
};

void vmp_placer_free(vmp_placer *pl) {
  if (!pl) return;
  vmp__greedy_free(pl->g);
  vmp__state_free(&pl->st);
  vmp__model_free(pl->m);
  free(pl->vm_host);
  free(pl->parts);
  free(pl);
}

static void add_vm(vmp_placer *pl, size_t v, size_t h) {
  const vmp__model *m = pl->m;
  uint32_t i = m->vm_item[v];
  vmp__state_place_part(&pl->st, i, h, m->dem + v * m->nres);
  pl->parts[i]++;
  pl->vm_host[v] = (uint32_t)h;
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
  if ((rc = vmp__model_compile_units(p, &pl->m)) || (rc = vmp__state_init(&pl->st, pl->m)) ||
      (rc = vmp__greedy_new(pl->m, &pl->g))) {
    vmp_placer_free(pl);
    return rc;
  }
  if (pl->m->needs & VMP__NEED_HARD) {
    rc = vmp__error(VMP_ENOTSUP, "online placement: %s are not modelled; "
                    "use vmp_solve (the rebalance solver or auto)",
                    vmp__model_needs_text(pl->m->needs & VMP__NEED_HARD));
    vmp_placer_free(pl);
    return rc;
  }
  pl->vm_host = malloc((p->nvms + 1) * sizeof *pl->vm_host);
  pl->parts = calloc(pl->m->nitems + 1, sizeof *pl->parts);
  if (!pl->vm_host || !pl->parts) {
    vmp_placer_free(pl);
    return vmp__enomem();
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

int vmp_place(vmp_placer *pl, size_t vm, size_t *host) {
  const vmp__model *m;
  double t0 = vmp__now();
  int32_t h;
  uint32_t i;
  if (host) *host = VMP_NONE;
  if (!pl) return vmp__error(VMP_EINVAL, "placer is NULL");
  m = pl->m;
  if (vm >= m->nvms)
    return vmp__error(VMP_EINVAL, "VM index %zu out of range (%zu VMs)", vm, m->nvms);
  if (pl->vm_host[vm] != VMP__NO_HOST)
    return vmp__error(VMP_ESTATE, "VM %s is placed already (on %s)",
                      vmp_problem_vm_name(pl->p, vm),
                      vmp_problem_host_name(pl->p, pl->vm_host[vm]));
  i = m->vm_item[vm];
  if (pl->parts[i]) {
    /* A partner of its affinity unit is placed: there or nowhere. */
    h = pl->st.host[i];
    if (h >= 0 && !part_fits(pl, vm, (size_t)h)) h = -1;
  } else {
    h = vmp__greedy_choose(pl->g, i);
  }
  if (h >= 0) {
    add_vm(pl, vm, (size_t)h);
    vmp__greedy_refresh(pl->g, (size_t)h);
    if (host) *host = (size_t)h;
    pl->placed++;
  } else {
    pl->failed++;
  }
  pl->seconds += vmp__now() - t0;
  return 0;
}

int vmp_placer_remove(vmp_placer *pl, size_t vm) {
  const vmp__model *m;
  uint32_t h, i;
  if (!pl) return vmp__error(VMP_EINVAL, "placer is NULL");
  m = pl->m;
  if (vm >= m->nvms)
    return vmp__error(VMP_EINVAL, "VM index %zu out of range (%zu VMs)", vm, m->nvms);
  if ((h = pl->vm_host[vm]) == VMP__NO_HOST)
    return vmp__error(VMP_ESTATE, "VM %s is not placed", vmp_problem_vm_name(pl->p, vm));
  i = m->vm_item[vm];
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
  vmp__greedy_refresh(pl->g, h);
  return 0;
}

int vmp_placer_solution(const vmp_placer *pl, vmp_solution **out) {
  vmp__solution_info info;
  const char *names[3] = {"place.placed", "place.failed", "place.seconds"};
  double values[3];
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!pl) return vmp__error(VMP_EINVAL, "placer is NULL");
  values[0] = (double)pl->placed;
  values[1] = (double)pl->failed;
  values[2] = pl->seconds;
  memset(&info, 0, sizeof info);
  info.solver = "online";
  info.stop_reason = VMP_STOP_COMPLETED;
  /* The placer's model merges hard affinity groups into units, which
   * would bound a stricter problem: the bound comes from the problem's own
   * model. */
  {
    vmp__model *bm = NULL;
    info.bound = vmp__model_compile(pl->p, &bm) == 0 ? vmp__model_bound(bm) : 0.0;
    vmp__model_free(bm);
  }
  info.time_s = pl->seconds;
  info.stat_names = names;
  info.stat_values = values;
  info.nstats = 3;
  return vmp__solution_build(pl->p, pl->vm_host, &info, out);
}
