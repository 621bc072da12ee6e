/*
 * The migration planner (vmplace/plan.h) and the plan object.
 *
 * The planner works in waves.  A wave starts from the loads left by the
 * previous one and takes pending moves in VM order while they fit: the
 * target must hold the VM on top of everything already on it and of every
 * VM the wave is sending there (VMs in flight count on both hosts; the
 * source needs no check because it only ever loses load), no host may
 * be touched by more than max_concurrent steps, no hard spread group may
 * fall below its minimum and no VM of a group with a hard dependency may
 * be left, after the wave, in a domain without the group it depends on
 * (moves are taken in order, each against the positions the wave's earlier
 * moves leave: a dependent VM waits for a wave in which the group it
 * depends on has reached its new domain).  A move that such a group
 * still refuses on its own once the wave's single moves are in is taken
 * together with one other pending move of the same group or dependency
 * when the two, in one wave, keep it (two spread members exchanging
 * zones, the last VM of B and a VM of A moving to the same zone): the
 * checker, like the constraints, looks at the positions between waves.  A wave in which nothing
 * fits is a deadlock (a cycle of full hosts, or a host waiting for VMs that
 * cannot leave): the planner then moves a VM that sits on the target of a
 * stuck move, and whose departure alone makes that move fit, to a staging
 * host that is allowed for it and has room.  Each VM is staged at most
 * once, so planning ends; what still does not fit is reported as blocked.
 *
 * Every plan is replayed by the independent checker (check.c) before
 * it is returned, as every solver result passes through the evaluator.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "opts.h"
#include "plan_impl.h"
#include "solution_impl.h"
#include "units.h"

/* ---- the plan object ----------------------------------------------------------- */

int vmp__plan_alloc(size_t nres, size_t nhosts, size_t nvms, vmp_plan **out) {
  vmp_plan *pl = calloc(1, sizeof *pl);
  *out = NULL;
  if (!pl) return vmp__enomem();
  pl->nres = (uint32_t)nres;
  pl->nhosts = nhosts;
  pl->nvms = nvms;
  pl->bandwidth = 1000.0;
  pl->mem_res = -1;
  pl->res_name = calloc(nres + 1, sizeof *pl->res_name);
  pl->host_name = calloc(nhosts + 1, sizeof *pl->host_name);
  pl->host_uri = calloc(nhosts + 1, sizeof *pl->host_uri);
  pl->host_mig_uri = calloc(nhosts + 1, sizeof *pl->host_mig_uri);
  pl->host_mig_listen = calloc(nhosts + 1, sizeof *pl->host_mig_listen);
  pl->host_mig_tunnelled = calloc(nhosts + 1, sizeof *pl->host_mig_tunnelled);
  pl->cap = calloc(vmp__mul(nhosts, nres) + 1, sizeof *pl->cap);
  pl->load = calloc(vmp__mul(nhosts, nres) + 1, sizeof *pl->load);
  pl->vm_name = calloc(nvms + 1, sizeof *pl->vm_name);
  pl->dem = calloc(vmp__mul(nvms, nres) + 1, sizeof *pl->dem);
  if (!pl->res_name || !pl->host_name || !pl->host_uri || !pl->host_mig_uri ||
      !pl->host_mig_listen || !pl->host_mig_tunnelled || !pl->cap || !pl->load ||
      !pl->vm_name || !pl->dem) {
    vmp_plan_free(pl);
    return vmp__enomem();
  }
  *out = pl;
  return VMP_OK;
}

void vmp_plan_free(vmp_plan *pl) {
  if (!pl) return;
  for (size_t r = 0; pl->res_name && r < pl->nres; r++) free(pl->res_name[r]);
  for (size_t h = 0; pl->host_name && h < pl->nhosts; h++) free(pl->host_name[h]);
  for (size_t h = 0; pl->host_uri && h < pl->nhosts; h++) free(pl->host_uri[h]);
  for (size_t h = 0; pl->host_mig_uri && h < pl->nhosts; h++) free(pl->host_mig_uri[h]);
  for (size_t h = 0; pl->host_mig_listen && h < pl->nhosts; h++) free(pl->host_mig_listen[h]);
  for (size_t v = 0; pl->vm_name && v < pl->nvms; v++) free(pl->vm_name[v]);
  for (size_t k = 0; k < pl->nblocked; k++) free(pl->blocked[k].reason);
  VMP__FREE_ALL(pl->res_name, pl->host_name, pl->host_uri, pl->host_mig_uri, pl->host_mig_listen,
                pl->host_mig_tunnelled, pl->cap, pl->load, pl->vm_name, pl->dem, pl->steps,
                pl->wave_duration, pl->blocked, pl);
}

int vmp__plan_add_step(vmp_plan *pl, uint32_t vm, uint32_t from, uint32_t to,
                       uint32_t wave, int staging) {
  vmp__pstep *s;
  if (vmp__grow(&pl->steps, &pl->steps_cap, pl->nsteps + 1, sizeof *pl->steps))
    return vmp__enomem();
  s = &pl->steps[pl->nsteps++];
  s->vm = vm;
  s->from = from;
  s->to = to;
  s->wave = wave;
  s->staging = (uint8_t)(staging != 0);
  return VMP_OK;
}

int vmp__plan_add_blocked(vmp_plan *pl, uint32_t vm, uint32_t from,
                          uint32_t to, const char *reason) {
  vmp__pblocked *b;
  char *copy = vmp__strdup(reason ? reason : "");
  if (!copy ||
      vmp__grow(&pl->blocked, &pl->blocked_cap, pl->nblocked + 1, sizeof *pl->blocked)) {
    free(copy);
    return vmp__enomem();
  }
  b = &pl->blocked[pl->nblocked++];
  b->vm = vm;
  b->from = from;
  b->to = to;
  b->reason = copy;
  return VMP_OK;
}

double vmp__plan_vm_mib(const vmp_plan *pl, uint32_t v) {
  if (pl->mem_res < 0 || v >= pl->nvms) return 0.0;
  return pl->dem[(size_t)v * pl->nres + (size_t)pl->mem_res] * pl->mem_mib_per_unit;
}

int vmp__plan_finish(vmp_plan *pl) {
  double *per_host;
  pl->mem_res = -1;
  for (uint32_t r = 0; r < pl->nres; r++) {
    double bytes;
    if (vmp__res_kind_of(pl->res_name[r], &bytes) == VMP__RES_MEMORY) {
      pl->mem_res = (int32_t)r;
      pl->mem_mib_per_unit = bytes / 1048576.0;
      break;
    }
  }
  pl->nwaves = 0;
  for (size_t k = 0; k < pl->nsteps; k++)
    if (pl->steps[k].wave + 1 > pl->nwaves) pl->nwaves = pl->steps[k].wave + 1;
  free(pl->wave_duration);
  pl->wave_duration = calloc(pl->nwaves + 1, sizeof *pl->wave_duration);
  per_host = calloc(pl->nhosts + 1, sizeof *per_host);
  if (!pl->wave_duration || !per_host) {
    free(per_host);
    return vmp__enomem();
  }
  /* A host's link carries every migration of the wave that touches it, so
   * the wave lasts as long as its busiest host needs. */
  pl->duration = 0.0;
  for (size_t k = 0; k < pl->nsteps;) {
    size_t end = k;
    uint32_t w = pl->steps[k].wave;
    double longest = 0.0;
    memset(per_host, 0, pl->nhosts * sizeof *per_host);
    while (end < pl->nsteps && pl->steps[end].wave == w) {
      const vmp__pstep *s = &pl->steps[end++];
      double mib = vmp__plan_vm_mib(pl, s->vm);
      if (s->from == VMP__PLAN_NONE || s->to == VMP__PLAN_NONE) continue;
      per_host[s->from] += mib;
      per_host[s->to] += mib;
    }
    for (size_t h = 0; h < pl->nhosts; h++)
      if (per_host[h] > longest) longest = per_host[h];
    pl->wave_duration[w] = longest / pl->bandwidth;
    pl->duration += pl->wave_duration[w];
    k = end;
  }
  free(per_host);
  return VMP_OK;
}

uint32_t vmp__plan_find_host(const vmp_plan *pl, const char *name) {
  for (size_t h = 0; name && h < pl->nhosts; h++)
    if (!strcmp(pl->host_name[h], name)) return (uint32_t)h;
  return VMP__PLAN_NONE;
}

uint32_t vmp__plan_find_vm(const vmp_plan *pl, const char *name) {
  for (size_t v = 0; name && v < pl->nvms; v++)
    if (!strcmp(pl->vm_name[v], name)) return (uint32_t)v;
  return VMP__PLAN_NONE;
}

/* ---- getters -------------------------------------------------------------------- */

VMP__OPTS_ABI(plan_opts_abi, vmp_plan_opts, VMP_PLAN_OPTS_VERSION, VMP_PLAN_OPTS_INIT,
              "plan options", "vmp_plan_opts_init",
              VMP__OPTS_END(vmp_plan_opts, staging), VMP__OPTS_END(vmp_plan_opts, allow_stop));

int vmp_plan_opts_init(vmp_plan_opts *opts, uint32_t version) {
  return vmp__opts_init(&plan_opts_abi, opts, version);
}

const char *vmp_plan_status_name(int status) {
  switch (status) {
    case VMP_PLAN_COMPLETE: return "complete";
    case VMP_PLAN_BLOCKED: return "blocked";
    default: return "unknown";
  }
}

const char *vmp_plan_action_name(int action) {
  switch (action) {
    case VMP_ACTION_MIGRATE: return "migrate";
    case VMP_ACTION_START: return "start";
    case VMP_ACTION_STOP: return "stop";
    default: return "unknown";
  }
}

int vmp_plan_status(const vmp_plan *pl) { return pl ? pl->status : -1; }
uint32_t vmp_plan_max_concurrent(const vmp_plan *pl) { return pl ? pl->max_concurrent : 0; }
double vmp_plan_bandwidth(const vmp_plan *pl) { return pl ? pl->bandwidth : NAN; }
double vmp_plan_duration(const vmp_plan *pl) { return pl ? pl->duration : NAN; }
size_t vmp_plan_num_hosts(const vmp_plan *pl) { return pl ? pl->nhosts : 0; }

const char *vmp_plan_host_name(const vmp_plan *pl, size_t h) {
  return pl && h < pl->nhosts ? pl->host_name[h] : NULL;
}

const char *vmp_plan_host_uri(const vmp_plan *pl, size_t h) {
  return pl && h < pl->nhosts ? pl->host_uri[h] : NULL;
}

int vmp_plan_host_migration(const vmp_plan *pl, size_t h, const char **uri,
                            const char **listen_address, int *tunnelled) {
  if (!pl || h >= pl->nhosts)
    return vmp__error(VMP_EINVAL, "plan host index %zu out of range", h);
  if (uri) *uri = pl->host_mig_uri[h];
  if (listen_address) *listen_address = pl->host_mig_listen[h];
  if (tunnelled) *tunnelled = pl->host_mig_tunnelled[h];
  return VMP_OK;
}

size_t vmp_plan_num_waves(const vmp_plan *pl) { return pl ? pl->nwaves : 0; }

double vmp_plan_wave_duration(const vmp_plan *pl, size_t w) {
  return pl && w < pl->nwaves ? pl->wave_duration[w] : 0.0;
}

size_t vmp_plan_num_steps(const vmp_plan *pl) { return pl ? pl->nsteps : 0; }

static const vmp__pstep *step_at(const vmp_plan *pl, size_t k) {
  return pl && k < pl->nsteps ? &pl->steps[k] : NULL;
}

const char *vmp_plan_step_vm(const vmp_plan *pl, size_t k) {
  const vmp__pstep *s = step_at(pl, k);
  return s ? pl->vm_name[s->vm] : NULL;
}

const char *vmp_plan_step_from(const vmp_plan *pl, size_t k) {
  const vmp__pstep *s = step_at(pl, k);
  return s && s->from != VMP__PLAN_NONE ? pl->host_name[s->from] : NULL;
}

const char *vmp_plan_step_to(const vmp_plan *pl, size_t k) {
  const vmp__pstep *s = step_at(pl, k);
  return s && s->to != VMP__PLAN_NONE ? pl->host_name[s->to] : NULL;
}

size_t vmp_plan_step_from_host(const vmp_plan *pl, size_t k) {
  const vmp__pstep *s = step_at(pl, k);
  return s && s->from != VMP__PLAN_NONE ? s->from : VMP_NONE;
}

size_t vmp_plan_step_to_host(const vmp_plan *pl, size_t k) {
  const vmp__pstep *s = step_at(pl, k);
  return s && s->to != VMP__PLAN_NONE ? s->to : VMP_NONE;
}

size_t vmp_plan_step_wave(const vmp_plan *pl, size_t k) {
  const vmp__pstep *s = step_at(pl, k);
  return s ? s->wave : VMP_NONE;
}

int vmp_plan_step_action(const vmp_plan *pl, size_t k) {
  const vmp__pstep *s = step_at(pl, k);
  if (!s) return -1;
  return vmp__pstep_action(s);
}

int vmp__pstep_action(const vmp__pstep *s) {
  if (s->from == VMP__PLAN_NONE) return VMP_ACTION_START;
  return s->to == VMP__PLAN_NONE ? VMP_ACTION_STOP : VMP_ACTION_MIGRATE;
}

int vmp_plan_step_staging(const vmp_plan *pl, size_t k) {
  const vmp__pstep *s = step_at(pl, k);
  return s ? s->staging : 0;
}

double vmp_plan_step_memory(const vmp_plan *pl, size_t k) {
  const vmp__pstep *s = step_at(pl, k);
  return s ? vmp__plan_vm_mib(pl, s->vm) : 0.0;
}

size_t vmp_plan_num_blocked(const vmp_plan *pl) { return pl ? pl->nblocked : 0; }

static const vmp__pblocked *blocked_at(const vmp_plan *pl, size_t k) {
  return pl && k < pl->nblocked ? &pl->blocked[k] : NULL;
}

const char *vmp_plan_blocked_vm(const vmp_plan *pl, size_t k) {
  const vmp__pblocked *b = blocked_at(pl, k);
  return b ? pl->vm_name[b->vm] : NULL;
}

const char *vmp_plan_blocked_from(const vmp_plan *pl, size_t k) {
  const vmp__pblocked *b = blocked_at(pl, k);
  return b && b->from != VMP__PLAN_NONE ? pl->host_name[b->from] : NULL;
}

const char *vmp_plan_blocked_to(const vmp_plan *pl, size_t k) {
  const vmp__pblocked *b = blocked_at(pl, k);
  return b && b->to != VMP__PLAN_NONE ? pl->host_name[b->to] : NULL;
}

const char *vmp_plan_blocked_reason(const vmp_plan *pl, size_t k) {
  const vmp__pblocked *b = blocked_at(pl, k);
  return b ? b->reason : NULL;
}

/* ---- the planner ------------------------------------------------------------------- */

typedef struct planner {
  const vmp_problem *p;
  const vmp__model *m;
  const vmp_plan_opts *opts;
  uint32_t nres;
  double *capx;         /* [h*nres+r] capacity with the evaluator's tolerance */
  double *load;         /* [h*nres+r] after the waves so far */
  double *peak;         /* [h*nres+r] during the wave being built */
  uint32_t *conc;       /* [h] steps touching h in the wave being built */
  uint32_t *pos;        /* [v] current host in the replay */
  const uint32_t *tgt;  /* [v] target host */
  uint8_t *staged;      /* [v] */
  uint32_t *pending;    /* VMs still to move */
  size_t npending;
  uint32_t *stops;      /* VMs still to stop (allow_stop) */
  size_t nstops;
  uint32_t *plan_vm;    /* [v] index in the plan's VM table */
  uint32_t *vm_of;      /* [plan VM] problem VM */
  uint32_t *npos;       /* [v] position once the wave being built is done */
  vmp_plan *pl;
} planner;

/* Releases v's load from h after a move; a transient resource stays held
 * on v's initial host (docs/rebalancing.md). */
static void release(planner *P, uint32_t h, uint32_t v) {
  double *l = &P->load[(size_t)h * P->nres];
  const double *d = &P->p->vm_demand[(size_t)v * P->nres];
  for (uint32_t r = 0; r < P->nres; r++) {
    if (h == P->p->vm_host[v] && ((P->p->res_transient >> r) & 1u)) continue;
    l[r] -= d[r];
  }
}

/* Whether v's hard spread groups stay covered enough with v on t and the
 * rest where npos has them: at least their minimum, or no worse than
 * now. */
static int spread_ok(const planner *P, uint32_t v, uint32_t t) {
  const vmp_problem *p = P->p;
  for (size_t g = 0; g < p->ngroups; g++) {
    const vmp__group *gr = &p->groups[g];
    size_t placed = 0, before, after, need;
    int member = 0;
    if (gr->policy != VMP_SPREAD || !gr->hard || gr->min_domains < 2) continue;
    for (uint32_t k = 0; k < gr->nvms && !member; k++) member = gr->vms[k] == v;
    if (!member) continue;
    before = vmp__spread_cover(p, gr, P->npos, VMP__NO_HOST, 0, &placed);
    after = vmp__spread_cover(p, gr, P->npos, v, t, &placed);
    need = gr->min_domains < placed ? gr->min_domains : placed;
    if (after < need && after < before) return 0;
  }
  return 1;
}

static int in_group(const vmp__group *gr, uint32_t v) {
  for (uint32_t k = 0; k < gr->nvms; k++)
    if (gr->vms[k] == v) return 1;
  return 0;
}

/* Whether v's hard dependencies stay met with v on t and the rest where
 * npos has them: no more VMs of a dependent group in a domain without the
 * group they depend on than now (none, from a valid start).  *which (may
 * be NULL) receives the dependency that refuses. */
static int dep_ok(const planner *P, uint32_t v, uint32_t t, size_t *which) {
  const vmp_problem *p = P->p;
  for (size_t d = 0; d < p->ndeps; d++) {
    const vmp__dep *dp = &p->deps[d];
    size_t before, after;
    if (!dp->hard ||
        (!in_group(&p->groups[dp->group], v) && !in_group(&p->groups[dp->on], v)))
      continue;
    before = vmp__dep_broken(p, dp, P->npos, VMP__NO_HOST, 0, NULL);
    after = vmp__dep_broken(p, dp, P->npos, v, t, NULL);
    if (after == (size_t)-1 || before == (size_t)-1 || after > before) {
      if (which) *which = d;
      return 0;
    }
  }
  return 1;
}

static const double *dem_of(const planner *P, uint32_t v) {
  return &P->p->vm_demand[(size_t)v * P->nres];
}

/* Would `extra` (plus `more`, may be NULL) fit on host h on top of load
 * (less `less`, may be NULL)? */
static int fits(const planner *P, const double *load, uint32_t h, const double *extra,
                const double *less) {
  const double *cap = &P->capx[(size_t)h * P->nres];
  const double *l = &load[(size_t)h * P->nres];
  for (uint32_t r = 0; r < P->nres; r++) {
    double x = l[r] + extra[r] - (less ? less[r] : 0.0);
    if (x > cap[r]) return 0;
  }
  return 1;
}

static void add_load(planner *P, double *load, uint32_t h, const double *d, double sign) {
  double *l = &load[(size_t)h * P->nres];
  for (uint32_t r = 0; r < P->nres; r++) l[r] += sign * d[r];
}

static int conc_ok(const planner *P, uint32_t h) {
  return h == VMP__NO_HOST || !P->opts->max_concurrent || P->conc[h] < P->opts->max_concurrent;
}

static int emit(planner *P, uint32_t v, uint32_t from, uint32_t to, uint32_t wave,
                int staging) {
  uint32_t pf = from == VMP__NO_HOST ? VMP__PLAN_NONE : from;
  uint32_t pt = to == VMP__NO_HOST ? VMP__PLAN_NONE : to;
  return vmp__plan_add_step(P->pl, P->plan_vm[v], pf, pt, wave, staging);
}

/* Takes the stops whose host is under the per-host cap into the wave, first
 * (a stop only frees room: the moves of the next waves find it).  A stop
 * that would leave a hard spread group below its minimum, or break a hard
 * dependency, waits for a wave in which it does not. */
static int take_stops(planner *P, uint32_t wave, size_t *taken) {
  size_t kept = 0;
  int rc = VMP_OK;
  for (size_t k = 0; k < P->nstops; k++) {
    uint32_t v = P->stops[k], s = P->pos[v];
    if (rc || !conc_ok(P, s) || !spread_ok(P, v, VMP__NO_HOST) ||
        !dep_ok(P, v, VMP__NO_HOST, NULL)) {
      P->stops[kept++] = v;
      continue;
    }
    P->npos[v] = VMP__NO_HOST;
    P->conc[s]++;
    if (!(rc = emit(P, v, s, VMP__NO_HOST, wave, 0))) (*taken)++;
  }
  P->nstops = kept;
  return rc;
}

/* Whether v on t and w on tw, together, keep every hard spread group and
 * dependency of either as spread_ok and dep_ok keep them for one move:
 * compared with where npos has them now. */
static int pair_ok(planner *P, uint32_t v, uint32_t t, uint32_t w, uint32_t tw) {
  const vmp_problem *p = P->p;
  uint32_t saved = P->npos[v];
  int ok = 1;
  for (size_t g = 0; g < p->ngroups && ok; g++) {
    const vmp__group *gr = &p->groups[g];
    size_t placed = 0, before, after, need;
    if (gr->policy != VMP_SPREAD || !gr->hard || gr->min_domains < 2) continue;
    if (!in_group(gr, v) && !in_group(gr, w)) continue;
    before = vmp__spread_cover(p, gr, P->npos, VMP__NO_HOST, 0, &placed);
    P->npos[v] = t;
    after = vmp__spread_cover(p, gr, P->npos, w, tw, &placed);
    P->npos[v] = saved;
    need = gr->min_domains < placed ? gr->min_domains : placed;
    if (after < need && after < before) ok = 0;
  }
  for (size_t d = 0; d < p->ndeps && ok; d++) {
    const vmp__dep *dp = &p->deps[d];
    size_t before, after;
    if (!dp->hard) continue;
    if (!in_group(&p->groups[dp->group], v) && !in_group(&p->groups[dp->on], v) &&
        !in_group(&p->groups[dp->group], w) && !in_group(&p->groups[dp->on], w))
      continue;
    before = vmp__dep_broken(p, dp, P->npos, VMP__NO_HOST, 0, NULL);
    P->npos[v] = t;
    after = vmp__dep_broken(p, dp, P->npos, w, tw, NULL);
    P->npos[v] = saved;
    if (after == (size_t)-1 || before == (size_t)-1 || after > before) ok = 0;
  }
  return ok;
}

/* Puts v's move (s -> t) into the wave being built (sign +1) or takes it
 * out again (-1). */
static void take(planner *P, uint32_t v, uint32_t s, uint32_t t, int sign) {
  P->npos[v] = sign > 0 ? t : s;
  add_load(P, P->peak, t, dem_of(P, v), sign);
  if (sign > 0) {
    if (s != VMP__NO_HOST) P->conc[s]++;
    P->conc[t]++;
  } else {
    if (s != VMP__NO_HOST) P->conc[s]--;
    P->conc[t]--;
  }
}

/* Candidates partner() tries per refused move: the work stays linear in
 * the moves of a wave whatever the groups' sizes. */
#define PAIR_TRIES 256

/* Whether w, a member of a group v shares a rule with, can go with v (see
 * partner); counts a try. */
static int pair_with(planner *P, uint32_t v, uint32_t t, uint32_t w, int *tries) {
  uint32_t s = P->pos[v], sw = P->pos[w], tw = P->tgt[w];
  int ok;
  if (w == v || tw == VMP__NO_HOST || sw == tw || P->npos[w] != sw) return 0;
  if (!conc_ok(P, sw) || !conc_ok(P, tw)) return 0;
  if (!fits(P, P->peak, tw, dem_of(P, w), NULL)) return 0;
  (*tries)++;
  P->npos[v] = s;
  ok = pair_ok(P, v, t, w, tw);
  P->npos[v] = t;
  return ok;
}

/* A pending move w, not yet in the wave, of a VM in a hard spread group or
 * dependency (either side) with v, that, in the same wave as v's move
 * (already taken into peak, conc and npos), fits and keeps them: VMs that
 * must exchange domains (two spread members swapping zones, the one VM of
 * B and a VM of A moving to the same new zone), which neither may do
 * first.  At most PAIR_TRIES candidates; VMP__NO_HOST when none. */
static uint32_t partner(planner *P, uint32_t v, uint32_t t) {
  const vmp_problem *p = P->p;
  int tries = 0;
  for (size_t g = 0; g < p->ngroups && tries < PAIR_TRIES; g++) {
    const vmp__group *gr = &p->groups[g];
    if (gr->policy != VMP_SPREAD || !gr->hard || gr->min_domains < 2 || !in_group(gr, v))
      continue;
    for (uint32_t k = 0; k < gr->nvms && tries < PAIR_TRIES; k++)
      if (pair_with(P, v, t, gr->vms[k], &tries)) return gr->vms[k];
  }
  for (size_t d = 0; d < p->ndeps && tries < PAIR_TRIES; d++) {
    const vmp__dep *dp = &p->deps[d];
    const vmp__group *a = &p->groups[dp->group], *b = &p->groups[dp->on];
    if (!dp->hard || (!in_group(a, v) && !in_group(b, v))) continue;
    for (int side = 0; side < 2; side++) {
      const vmp__group *gr = side ? a : b;
      for (uint32_t k = 0; k < gr->nvms && tries < PAIR_TRIES; k++)
        if (pair_with(P, v, t, gr->vms[k], &tries)) return gr->vms[k];
    }
  }
  return VMP__NO_HOST;
}

/* Takes pending moves into the wave while they fit, one at a time in VM
 * order, each against the positions the wave's earlier moves leave.  Then
 * the moves that a hard spread group or dependency still refuses on their
 * own go in pairs (partner): only those, so that a move that can follow
 * another in a later wave does (a VM of A after the VM of B it needs), and
 * two go together only when neither can go first.  Returns the number
 * taken; their steps are emitted. */
static int fill_wave(planner *P, uint32_t wave, size_t *taken) {
  int rc;
  *taken = 0;
  for (int pairs = 0; pairs < 2; pairs++)
    for (size_t k = 0; k < P->npending; k++) {
      uint32_t v = P->pending[k], s = P->pos[v], t = P->tgt[v], w;
      int alone;
      if (P->npos[v] != s) continue; /* in the wave already */
      if (!conc_ok(P, s) || !conc_ok(P, t)) continue;
      if (!fits(P, P->peak, t, dem_of(P, v), NULL)) continue;
      alone = spread_ok(P, v, t) && dep_ok(P, v, t, NULL);
      if (!pairs && alone) {
        take(P, v, s, t, 1);
        if ((rc = emit(P, v, s, t, wave, 0))) return rc;
        (*taken)++;
      }
      if (!pairs || alone) continue;
      take(P, v, s, t, 1);
      if ((w = partner(P, v, t)) == VMP__NO_HOST) {
        take(P, v, s, t, -1);
        continue;
      }
      take(P, w, P->pos[w], P->tgt[w], 1);
      if ((rc = emit(P, v, s, t, wave, 0)) || (rc = emit(P, w, P->pos[w], P->tgt[w], wave, 0)))
        return rc;
      *taken += 2;
    }
  return VMP_OK;
}

/* Spare room of host h for demand d after the wave, as the smallest
 * fraction over resources: larger is roomier. */
static double spare(const planner *P, uint32_t h, const double *d) {
  double best = HUGE_VAL;
  for (uint32_t r = 0; r < P->nres; r++) {
    double c = P->capx[(size_t)h * P->nres + r];
    double f = c > 0.0 ? (c - P->peak[(size_t)h * P->nres + r] - d[r]) / c : HUGE_VAL;
    if (f < best) best = f;
  }
  return best;
}

/* A deadlock: stages VMs whose departure alone lets a stuck move in.  At
 * most one staging per source host, so that each staging's reasoning holds
 * on its own.  Emits the steps; *taken counts them. */
static int stage(planner *P, uint32_t wave, size_t *taken) {
  const vmp_problem *p = P->p;
  uint8_t *src_used = calloc(p->nhosts + 1, 1);
  size_t *start = calloc(p->nhosts + 2, sizeof *start);
  uint32_t *at = malloc((P->npending + 1) * sizeof *at);
  int rc = VMP_OK;
  *taken = 0;
  if (!src_used || !start || !at) {
    free(src_used);
    free(start);
    free(at);
    return vmp__enomem();
  }
  /* The pending VMs grouped by the host they are on (CSR). */
  for (size_t k = 0; k < P->npending; k++)
    if (P->pos[P->pending[k]] != VMP__NO_HOST) start[P->pos[P->pending[k]] + 2]++;
  for (size_t h = 0; h < p->nhosts; h++) start[h + 2] += start[h + 1];
  for (size_t k = 0; k < P->npending; k++) {
    uint32_t v = P->pending[k];
    if (P->pos[v] != VMP__NO_HOST) at[start[P->pos[v] + 1]++] = v;
  }
  for (size_t k = 0; k < P->npending; k++) {
    uint32_t u = P->pending[k], s = P->tgt[u];
    uint32_t best_v = VMP__NO_HOST, best_x = VMP__NO_HOST;
    double best_mem = HUGE_VAL, best_room = -HUGE_VAL;
    if (src_used[s] || P->conc[s]) continue;
    for (size_t j = start[s]; j < start[s + 1]; j++) {
      uint32_t v = at[j];
      double mem = vmp__plan_vm_mib(P->pl, P->plan_vm[v]);
      if (v == u || P->staged[v]) continue;
      if (!fits(P, P->load, s, dem_of(P, u), dem_of(P, v))) continue;
      for (uint32_t x = 0; x < p->nhosts; x++) {
        double room;
        if (x == s || x == P->tgt[v] || P->conc[x] || src_used[x]) continue;
        if (!vmp__model_allowed(P->m, P->m->vm_item[v], x)) continue;
        if (!fits(P, P->peak, x, dem_of(P, v), NULL)) continue;
        if (!spread_ok(P, v, x) || !dep_ok(P, v, x, NULL)) continue;
        room = spare(P, x, dem_of(P, v));
        /* The cheapest VM to move, then the roomiest host. */
        if (mem < best_mem || (mem == best_mem && room > best_room)) {
          best_mem = mem;
          best_room = room;
          best_v = v;
          best_x = x;
        }
      }
    }
    if (best_v == VMP__NO_HOST) continue;
    add_load(P, P->peak, best_x, dem_of(P, best_v), 1.0);
    P->conc[s]++;
    P->conc[best_x]++;
    src_used[s] = src_used[best_x] = 1;
    P->staged[best_v] = 1;
    P->npos[best_v] = best_x;
    if ((rc = emit(P, best_v, s, best_x, wave, 1))) break;
    (*taken)++;
  }
  free(src_used);
  free(start);
  free(at);
  return rc;
}

/* Moves the wave's steps into the loads and positions, and drops finished
 * VMs from the pending list. */
static void commit_wave(planner *P, size_t first_step) {
  size_t kept = 0;
  for (size_t k = first_step; k < P->pl->nsteps; k++) {
    const vmp__pstep *st = &P->pl->steps[k];
    uint32_t v = P->vm_of[st->vm];
    if (st->from != VMP__PLAN_NONE) release(P, st->from, v);
    if (st->to == VMP__PLAN_NONE) {
      P->pos[v] = VMP__NO_HOST;
      continue;
    }
    add_load(P, P->load, st->to, dem_of(P, v), 1.0);
    P->pos[v] = st->to;
  }
  for (size_t j = 0; j < P->npending; j++) {
    uint32_t v = P->pending[j];
    if (P->pos[v] != P->tgt[v]) P->pending[kept++] = v;
  }
  P->npending = kept;
}

/* The reason a pending move is stuck, with names and numbers. */
static char *blocked_reason(const planner *P, uint32_t v) {
  const vmp_problem *p = P->p;
  uint32_t t = P->tgt[v];
  const double *d = dem_of(P, v);
  vmp__buf b;
  size_t shown = 0, waiting = 0, dep = 0;
  vmp__buf_init(&b);
  if (fits(P, P->load, t, d, NULL) && !spread_ok(P, v, t)) {
    vmp__buf_printf(&b, "moving it to %s would leave a spread group below its "
                    "minimum of domains, alone or in one wave with any other "
                    "pending move",
                    vmp_problem_host_name(p, t));
    return vmp__buf_take(&b);
  }
  if (fits(P, P->load, t, d, NULL) && !dep_ok(P, v, t, &dep)) {
    const vmp__dep *dp = &p->deps[dep];
    vmp__buf_printf(&b, "moving it to %s would leave a VM of %s in a %s "
                    "domain without a VM of %s (a hard dependency), alone or in "
                    "one wave with any other pending move",
                    vmp_problem_host_name(p, t),
                    vmp__pool_str(&p->pool, p->groups[dp->group].name),
                    dp->scope ? vmp__pool_str(&p->pool, dp->scope) : "host",
                    vmp__pool_str(&p->pool, p->groups[dp->on].name));
    return vmp__buf_take(&b);
  }
  vmp__buf_printf(&b, "%s has no room for it (", vmp_problem_host_name(p, t));
  for (uint32_t r = 0; r < P->nres; r++) {
    size_t i = (size_t)t * P->nres + r;
    char b1[32], b2[32], b3[32];
    if (P->load[i] + d[r] <= P->capx[i]) continue;
    vmp__buf_printf(&b, "%s%s: needs %s, free %s of %s", shown++ ? ", " : "",
                    vmp_problem_resource_name(p, r), vmp__fmt_num(b1, d[r]),
                    vmp__fmt_num(b2, fmax(0.0, vmp_problem_host_effective_capacity(p, t, r) -
                                                   P->load[i])),
                    vmp__fmt_num(b3, vmp_problem_host_effective_capacity(p, t, r)));
  }
  vmp__buf_puts(&b, ")");
  for (size_t j = 0; j < P->npending; j++) {
    uint32_t w = P->pending[j];
    if (w == v || P->pos[w] != t) continue;
    vmp__buf_printf(&b, "%s%s", waiting++ ? ", " : "; it waits for ",
                    vmp_problem_vm_name(p, w));
  }
  if (waiting)
    vmp__buf_printf(&b, " to leave %s, which %s blocked too", vmp_problem_host_name(p, t),
                    waiting == 1 ? "is" : "are");
  vmp__buf_puts(&b, P->opts->staging ? "; no allowed host has room to stage a VM through"
                                     : "; staging is off");
  return vmp__buf_take(&b);
}

static int report_blocked(planner *P) {
  int rc = VMP_OK;
  for (size_t j = 0; !rc && j < P->nstops; j++) {
    uint32_t v = P->stops[j];
    rc = vmp__plan_add_blocked(P->pl, P->plan_vm[v], P->pos[v], VMP__PLAN_NONE,
                               "the target leaves it unplaced, and stopping it would leave a "
                               "hard spread group below its minimum or break a hard "
                               "dependency");
  }
  for (size_t j = 0; !rc && j < P->npending; j++) {
    uint32_t v = P->pending[j];
    char *why = blocked_reason(P, v);
    if (!why) return vmp__enomem();
    rc = vmp__plan_add_blocked(P->pl, P->plan_vm[v],
                               P->pos[v] == VMP__NO_HOST ? VMP__PLAN_NONE : P->pos[v],
                               P->tgt[v], why);
    free(why);
  }
  return rc;
}

static int run_waves(planner *P) {
  uint32_t wave = 0;
  int rc;
  while (P->npending || P->nstops) {
    size_t first = P->pl->nsteps, taken = 0, stopped = 0;
    memcpy(P->peak, P->load, vmp__mul(P->p->nhosts, P->nres) * sizeof *P->peak);
    memset(P->conc, 0, P->p->nhosts * sizeof *P->conc);
    memcpy(P->npos, P->pos, P->p->nvms * sizeof *P->npos);
    if ((rc = take_stops(P, wave, &stopped))) return rc;
    if ((rc = fill_wave(P, wave, &taken))) return rc;
    if (!taken && !stopped && P->opts->staging && (rc = stage(P, wave, &taken))) return rc;
    if (!taken && !stopped) break;
    commit_wave(P, first);
    wave++;
  }
  return report_blocked(P);
}

int vmp__plan_check_target(const vmp_problem *p, const vmp_solution *s) {
  if (s->nvms != p->nvms || s->nhosts != p->nhosts)
    return vmp__error(VMP_EINVAL, "the target placement was made for another problem "
                                  "(%zu VMs, %zu hosts; the problem has %zu, %zu)",
                      s->nvms, s->nhosts, p->nvms, p->nhosts);
  for (size_t v = 0; v < p->nvms; v++)
    if (strcmp(s->vm_name[v], vmp_problem_vm_name(p, v)))
      return vmp__error(VMP_EINVAL, "the target placement was made for another problem "
                                    "(VM %zu is \"%s\", not \"%s\")",
                        v, s->vm_name[v], vmp_problem_vm_name(p, v));
  for (size_t h = 0; h < p->nhosts; h++)
    if (strcmp(s->host_name[h], vmp_problem_host_name(p, h)))
      return vmp__error(VMP_EINVAL, "the target placement was made for another problem "
                                    "(host %zu is \"%s\", not \"%s\")",
                        h, s->host_name[h], vmp_problem_host_name(p, h));
  if (s->status == VMP_STATUS_INVALID)
    for (size_t k = 0; k < s->nviol; k++)
      if (s->viol[k].hard)
        return vmp__error(VMP_EINVAL, "the target placement breaks a hard constraint: %s",
                          s->viol[k].message);
  return VMP_OK;
}

/* Copies hosts, resources and the VMs that move into the plan. */
static int plan_tables(planner *P, const double *load0) {
  const vmp_problem *p = P->p;
  vmp_plan *pl = P->pl;
  size_t nv = 0;
  for (uint32_t r = 0; r < P->nres; r++)
    if (!(pl->res_name[r] = vmp__strdup(vmp_problem_resource_name(p, r)))) return vmp__enomem();
  for (size_t h = 0; h < p->nhosts; h++) {
    const char *uri = vmp_problem_host_uri(p, h), *mu, *ml;
    int mt;
    vmp_problem_host_migration(p, h, &mu, &ml, &mt);
    if (!(pl->host_name[h] = vmp__strdup(vmp_problem_host_name(p, h))) ||
        (uri && !(pl->host_uri[h] = vmp__strdup(uri))) ||
        (mu && !(pl->host_mig_uri[h] = vmp__strdup(mu))) ||
        (ml && !(pl->host_mig_listen[h] = vmp__strdup(ml))))
      return vmp__enomem();
    pl->host_mig_tunnelled[h] = (uint8_t)mt;
    for (uint32_t r = 0; r < P->nres; r++)
      pl->cap[h * P->nres + r] = vmp_problem_host_effective_capacity(p, h, r);
  }
  memcpy(pl->load, load0, vmp__mul(p->nhosts, P->nres) * sizeof *load0);
  for (size_t v = 0; v < p->nvms; v++) {
    if (P->plan_vm[v] == VMP__PLAN_NONE) continue;
    P->plan_vm[v] = (uint32_t)nv;
    P->vm_of[nv] = (uint32_t)v;
    if (!(pl->vm_name[nv] = vmp__strdup(vmp_problem_vm_name(p, v)))) return vmp__enomem();
    memcpy(&pl->dem[nv * P->nres], dem_of(P, (uint32_t)v), P->nres * sizeof(double));
    nv++;
  }
  return VMP_OK;
}

static void planner_free(planner *P) {
  VMP__FREE_ALL(P->capx, P->load, P->peak, P->conc, P->pos, P->staged, P->pending, P->stops,
                P->plan_vm, P->vm_of, P->npos);
}

static int planner_init(planner *P, const vmp_problem *p, const vmp_solution *s,
                        const vmp__model *m, const vmp_plan_opts *opts, size_t *nmoving) {
  size_t nh = p->nhosts, nr = p->nres, hr = vmp__mul(nh, nr);
  memset(P, 0, sizeof *P);
  P->p = p;
  P->m = m;
  P->opts = opts;
  P->nres = (uint32_t)nr;
  P->tgt = s->vm_host;
  P->capx = malloc((hr + 1) * sizeof *P->capx);
  P->load = calloc(hr + 1, sizeof *P->load);
  P->peak = malloc((hr + 1) * sizeof *P->peak);
  P->conc = calloc(nh + 1, sizeof *P->conc);
  P->pos = malloc((p->nvms + 1) * sizeof *P->pos);
  P->staged = calloc(p->nvms + 1, 1);
  P->pending = malloc((p->nvms + 1) * sizeof *P->pending);
  P->stops = malloc((p->nvms + 1) * sizeof *P->stops);
  P->plan_vm = malloc((p->nvms + 1) * sizeof *P->plan_vm);
  P->vm_of = malloc((p->nvms + 1) * sizeof *P->vm_of);
  P->npos = malloc((p->nvms + 1) * sizeof *P->npos);
  if (!P->capx || !P->load || !P->peak || !P->conc || !P->pos || !P->staged ||
      !P->pending || !P->stops || !P->plan_vm || !P->vm_of || !P->npos)
    return vmp__enomem();
  for (size_t h = 0; h < nh; h++)
    for (size_t r = 0; r < nr; r++) {
      double c = vmp_problem_host_effective_capacity(p, h, r);
      P->capx[h * nr + r] = c * (1 + VMP__REL_EPS) + VMP__ABS_EPS;
    }
  *nmoving = 0;
  for (uint32_t v = 0; v < p->nvms; v++) {
    uint32_t cur = p->vm_host[v];
    P->pos[v] = cur;
    if (cur != VMP__NO_HOST) add_load(P, P->load, cur, dem_of(P, v), 1.0);
    P->plan_vm[v] = VMP__PLAN_NONE;
    if (cur == P->tgt[v]) continue;
    P->plan_vm[v] = 0; /* numbered in plan_tables */
    (*nmoving)++;
    if (P->tgt[v] != VMP__NO_HOST) P->pending[P->npending++] = v;
    else if (opts->allow_stop) P->stops[P->nstops++] = v;
  }
  return VMP_OK;
}

/* VMs that run now but that the target leaves unplaced are never stopped
 * unless the options allow it. */
static int report_unplaced(planner *P) {
  int rc = VMP_OK;
  if (P->opts->allow_stop) return VMP_OK;
  for (uint32_t v = 0; !rc && v < P->p->nvms; v++)
    if (P->p->vm_host[v] != VMP__NO_HOST && P->tgt[v] == VMP__NO_HOST)
      rc = vmp__plan_add_blocked(P->pl, P->plan_vm[v], P->p->vm_host[v], VMP__PLAN_NONE,
                                 "the target leaves it unplaced, and a running VM "
                                 "is never stopped");
  return rc;
}

int vmp_plan_new(const vmp_problem *p, const vmp_solution *target,
                 const vmp_plan_opts *opts_in, vmp_plan **out) {
  vmp_plan_opts loaded, *opts = &loaded;
  vmp__model *m = NULL;
  planner P;
  size_t nmoving = 0;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!p || !target) return vmp__error(VMP_EINVAL, "problem or target is NULL");
  if ((rc = vmp__opts_load(&plan_opts_abi, &loaded, opts_in))) return rc;
  if (!(opts->bandwidth_mibps > 0.0) || !isfinite(opts->bandwidth_mibps))
    return vmp__error(VMP_EINVAL, "plan options: bandwidth_mibps must be > 0, got %g",
                      opts->bandwidth_mibps);
  if ((rc = vmp__plan_check_target(p, target))) return rc;
  if ((rc = vmp__model_compile(p, &m))) return rc;
  rc = planner_init(&P, p, target, m, opts, &nmoving);
  if (!rc) rc = vmp__plan_alloc(p->nres, p->nhosts, nmoving, &P.pl);
  if (!rc) {
    double *load0 = P.load;
    P.pl->max_concurrent = opts->max_concurrent;
    P.pl->bandwidth = opts->bandwidth_mibps;
    rc = plan_tables(&P, load0);
  }
  if (!rc) rc = vmp__plan_finish(P.pl); /* the memory resource, for staging choices */
  if (!rc) rc = report_unplaced(&P);
  if (!rc) rc = run_waves(&P);
  if (!rc) {
    P.pl->status = P.pl->nblocked ? VMP_PLAN_BLOCKED : VMP_PLAN_COMPLETE;
    rc = vmp__plan_finish(P.pl);
  }
  if (!rc && (rc = vmp_plan_verify(P.pl, p, target)) && rc != VMP_ENOMEM)
    rc = vmp__error_prefix(VMP_EINTERNAL, "planner bug: the plan checker refused the plan");
  vmp__model_free(m);
  if (rc) {
    vmp_plan_free(P.pl);
    planner_free(&P);
    return rc;
  }
  *out = P.pl;
  planner_free(&P);
  return VMP_OK;
}
