/*
 * The migration planner (vmplace/plan.h) and the plan object.
 *
 * The planner works in waves.  A wave starts from the loads left by the
 * previous one and takes pending moves in VM order while they fit: the
 * target must hold the VM on top of everything already on it and of every
 * VM the wave is sending there (VMs in flight count on both hosts; the
 * source needs no check because it only ever loses load, and a transient
 * resource stays held on a VM's initial host for good), no host may be
 * touched by more than max_concurrent steps, no hard spread group may
 * fall below its minimum, no two members of a hard anti-affinity group
 * may share a domain after the wave (during it, a VM in flight to a host
 * its partner is leaving is fine: a swap of two members goes in one wave),
 * and no VM of a group with a hard dependency may
 * be left, after the wave, in a domain without the group it depends on
 * (moves are taken in order, each against the positions the wave's earlier
 * moves leave: a dependent VM waits for a wave in which the group it
 * depends on has reached its new domain).  A move that such a group
 * still refuses on its own once the wave's single moves are in is taken
 * together with one other pending move of the same group or dependency
 * when the two, in one wave, keep it (two spread members exchanging
 * zones, the last VM of B and a VM of A moving to the same zone), or else
 * with the chain of members that fill, one after the other, the domain the
 * previous one leaves (a rotation of B among neighborhoods, up to
 * CHAIN_MAX moves): the checker, like the constraints, looks at the
 * positions between waves.  A wave in which nothing fits is a deadlock (a
 * cycle of full hosts, or a host waiting for VMs that cannot leave): the
 * planner then moves a VM that sits on the target of a stuck move, and
 * whose departure alone makes that move fit, to a staging host that is
 * allowed for it and has room.  Each VM is staged at most once.  When no
 * host has room for any such VM, make_room frees one: a few of its VMs
 * move away for a while (temporary evictions, over as many waves as the
 * per-host cap needs), the stuck VM goes onto it, and they come back once
 * it has left; the freed host takes no other VM meanwhile (open_to).
 * Each VM is moved away at most once and each eviction moves one, so a
 * pass ends.  With allow_stop, when no host can be freed either, one such
 * VM is stopped and started on its target later (a cold move).  A pass
 * that leaves moves blocked, or moves a VM cold, is followed by up to
 * PLAN_RETRIES more with the VMs blocked so far moved first and staged
 * at once (stage_urgent), while hosts still have the room that later
 * moves take; evictions are only allowed in a second round of such
 * passes, when the first still blocks or stops VMs.  The pass with fewest
 * blocked VMs, then fewest cold moves, then fewest steps is the plan.
 * What still does not fit is reported as blocked.
 *
 * Cost.  Each VM lists its hard spread groups and dependencies (built once,
 * O(sum of their sizes)), so a candidate move looks only at those: a move
 * within one domain costs nothing, a spread group is counted only when v
 * leaves a domain no other member is in, and a dependency counts its two
 * groups' VMs in the two domains the move touches, O(|A| + |B|).  A wave
 * costs O(pending x (R + the sizes of the moving VMs' groups)); a deadlock
 * O(pending x hosts) to pick staging hosts, and, when none has room,
 * make_room's search, bounded by ROOM_*.  The checker rechecks after a
 * wave only the groups and dependencies of the VMs that moved in it.  On
 * ROADEF b_9 (50,000 VMs, 5,000 hosts, 2,007 moves) the whole command takes
 * 2 to 3 s on the shared 2-core machine, 0.5 s of it reading the instance;
 * a2_1 and a2_5, whose last swaps need evictions, under 0.1 and 0.4 s.
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
  s->room_for = VMP__PLAN_NONE;
  return VMP_OK;
}

int vmp__plan_add_vm(vmp_plan *pl, const char *name, const double *dem, uint32_t *idx) {
  size_t n = pl->nvms;
  char **names = realloc(pl->vm_name, (n + 2) * sizeof *names);
  double *d;
  if (!names) return vmp__enomem();
  pl->vm_name = names;
  names[n] = names[n + 1] = NULL;
  if (!(d = realloc(pl->dem, (vmp__mul(n + 1, pl->nres) + 1) * sizeof *d))) return vmp__enomem();
  pl->dem = d;
  if (!(names[n] = vmp__strdup(name))) return vmp__enomem();
  memcpy(&d[n * pl->nres], dem, pl->nres * sizeof *d);
  pl->nvms = n + 1;
  *idx = (uint32_t)n;
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

const char *vmp_plan_step_makes_room_for(const vmp_plan *pl, size_t k) {
  const vmp__pstep *s = step_at(pl, k);
  return s && s->room_for < pl->nvms ? pl->vm_name[s->room_for] : NULL;
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

/* Bounds of make_room's search, so that a deadlock costs
 * O(ROOM_VMS x (hosts x R + ROOM_HOSTS x ROOM_EVICT x (VMs on a host +
 * ROOM_TRIES x hosts x R))) whatever the instance. */
#define ROOM_VMS 8    /* stuck VMs tried, each for a host to go through */
#define ROOM_HOSTS 16 /* hosts tried per VM, the smallest shortfall first */
#define ROOM_EVICT 6  /* VMs moved away from one host */
#define ROOM_TRIES 8  /* VMs of the host tried per eviction, best first */

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
  size_t *vg_start;     /* [v..v+1): v's kept groups in vg (kept_group) */
  uint32_t *vg;
  size_t *vd_start;     /* [v..v+1): the hard dependencies v is in (either side) */
  uint32_t *vd;
  const uint8_t *urgent; /* [v] blocked in an earlier pass (may be NULL) */
  size_t ncold;         /* VMs stopped to be started on their target */
  int evict;            /* temporary evictions allowed in this pass */
  uint8_t *mark;        /* [v] set for the VMs of a deadlock that make_room
                           broke, for the next pass */
  /* Temporary evictions (make_room). */
  uint32_t *held;       /* [h] VMs moved away from h that come back to it */
  uint32_t *room_for;   /* [h] the VM h is being freed for, until it has
                           been there and left (VMP__NO_HOST: none) */
  uint8_t *away;        /* [v] moved away from its target host, not back yet */
  uint32_t ev[ROOM_EVICT], evx[ROOM_EVICT]; /* evictions still to take: */
  size_t nev, evi;      /* ev[evi..nev) to evx[..], then room_vm */
  uint32_t room_vm;     /* the VM to move onto room_host once they are out */
  uint32_t room_host;   /* (VMP__NO_HOST: no eviction in progress) */
  double *dbuf;         /* [nres] scratch of dem_to */
  vmp_plan *pl;
} planner;

/* Longest chain() tries. */
#define CHAIN_MAX 16

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

/* How many domains spread group gr lacks with v on t and the rest where
 * pos has them (v = VMP__NO_HOST: as pos has them): min(its minimum,
 * members placed) - domains covered, or 0. */
static size_t spread_deficit(const vmp_problem *p, const vmp__group *gr, const uint32_t *pos,
                             uint32_t v, uint32_t t) {
  size_t placed = 0, cover = vmp__spread_cover(p, gr, pos, v, t, &placed), need;
  need = gr->min_domains < placed ? gr->min_domains : placed;
  return need > cover ? need - cover : 0;
}

/* Whether v's hard spread groups lack more domains with v on t and the
 * rest where npos has them than now.  A start counts too: one more member
 * placed may need one more domain (min(minimum, placed)). */
static int spread_worse(const planner *P, const vmp__group *gr, uint32_t v, uint32_t t) {
  const vmp_problem *p = P->p;
  uint32_t s = P->npos[v];
  uint64_t d0;
  int alone = 1;
  if (s == t) return 0;
  /* A move or a stop only lowers the cover when v leaves a domain no
   * other member is in (and a stop lowers the need as much or more when
   * it does not): most moves are settled without counting. */
  if (s != VMP__NO_HOST) {
    d0 = vmp__host_domain(p, gr->scope, s);
    if (t != VMP__NO_HOST && vmp__host_domain(p, gr->scope, t) == d0) return 0;
    for (uint32_t k = 0; k < gr->nvms && alone; k++) {
      uint32_t w = gr->vms[k];
      alone = w == v || P->npos[w] == VMP__NO_HOST ||
              vmp__host_domain(p, gr->scope, P->npos[w]) != d0;
    }
    if (!alone) return 0;
  }
  return spread_deficit(p, gr, P->npos, v, t) >
         spread_deficit(p, gr, P->npos, VMP__NO_HOST, 0);
}

/* Where VM v is when the n VMs cv[] are at at[] and the rest at pos. */
static uint32_t pos_with(const uint32_t *pos, uint32_t v, const uint32_t *cv, const uint32_t *at,
                         size_t n) {
  for (size_t i = 0; i < n; i++)
    if (cv[i] == v) return at[i];
  return pos[v];
}

/* Members of hard anti-affinity group gr that share one of the domains
 * dom[0..nd) with another member, the n VMs cv[] at at[] and the rest at
 * pos: the sum over those domains of (members there - 1).  Only the
 * domains a set of moves leaves or enters can change, so comparing this
 * sum over them before and after the moves tells whether they break the
 * group more: O(members x (nd + n)). */
static size_t anti_excess(const vmp_problem *p, const vmp__group *gr, const uint32_t *pos,
                          const uint32_t *cv, const uint32_t *at, size_t n, const uint64_t *dom,
                          size_t nd) {
  size_t cnt[2 * CHAIN_MAX + 2] = {0}, ex = 0;
  for (uint32_t k = 0; k < gr->nvms; k++) {
    uint32_t h = pos_with(pos, gr->vms[k], cv, at, n);
    uint64_t x;
    if (h == VMP__NO_HOST) continue;
    x = vmp__host_domain(p, gr->scope, h);
    for (size_t i = 0; i < nd; i++)
      if (dom[i] == x) {
        cnt[i]++;
        break;
      }
  }
  for (size_t i = 0; i < nd; i++) ex += cnt[i] ? cnt[i] - 1 : 0;
  return ex;
}

/* Appends host h's domain under gr's scope to dom[] unless it is there
 * (or h is no host). */
static void add_domain(const vmp_problem *p, const vmp__group *gr, uint32_t h, uint64_t *dom,
                       size_t *nd) {
  uint64_t x;
  if (h == VMP__NO_HOST) return;
  x = vmp__host_domain(p, gr->scope, h);
  for (size_t i = 0; i < *nd; i++)
    if (dom[i] == x) return;
  dom[(*nd)++] = x;
}

/* Whether moving the n VMs cv[] from[] -> to[] (the rest where npos has
 * them) puts more members of hard anti-affinity group gr together. */
static int anti_worse_moves(const planner *P, const vmp__group *gr, const uint32_t *cv,
                            const uint32_t *from, const uint32_t *to, size_t n) {
  const vmp_problem *p = P->p;
  uint64_t dom[2 * CHAIN_MAX + 2];
  size_t nd = 0;
  for (size_t i = 0; i < n; i++) {
    add_domain(p, gr, from[i], dom, &nd);
    add_domain(p, gr, to[i], dom, &nd);
  }
  return anti_excess(p, gr, P->npos, cv, to, n, dom, nd) >
         anti_excess(p, gr, P->npos, cv, from, n, dom, nd);
}

/* The same for v alone going to t from where npos has it. */
static int anti_worse(const planner *P, const vmp__group *gr, uint32_t v, uint32_t t) {
  uint32_t s = P->npos[v];
  if (s == t || t == VMP__NO_HOST) return 0; /* leaving never puts two together */
  return anti_worse_moves(P, gr, &v, &s, &t, 1);
}

/* Hard spread groups stay covered, and hard anti-affinity groups get no
 * two more members together, with v on t (the rest where npos has them). */
static int groups_worse(const planner *P, const vmp__group *gr, uint32_t v, uint32_t t) {
  if (gr->policy == VMP_ANTI_AFFINITY) return anti_worse(P, gr, v, t);
  return spread_worse(P, gr, v, t);
}

static int groups_ok(const planner *P, uint32_t v, uint32_t t) {
  for (size_t j = P->vg_start[v]; j < P->vg_start[v + 1]; j++)
    if (groups_worse(P, &P->p->groups[P->vg[j]], v, t)) return 0;
  return 1;
}

/* Whether moving v to t leaves more VMs of dp's dependent group A in a
 * domain without a VM of B than now (positions: npos).  Only the domain v
 * leaves (d0) and the one it enters (d1) can change, so only they are
 * counted: O(|A| + |B|), and nothing when v stays in its domain. */
static int dep_worse(const planner *P, const vmp__dep *dp, uint32_t v, uint32_t t) {
  const vmp_problem *p = P->p;
  const vmp__group *a = &p->groups[dp->group], *b = &p->groups[dp->on];
  uint32_t s = P->npos[v];
  uint64_t dom[2];
  size_t na[2][2] = {{0, 0}, {0, 0}}, nb[2][2] = {{0, 0}, {0, 0}}; /* [domain][after] */
  size_t before = 0, after = 0;
  int has[2];
  if (s == t) return 0;
  has[0] = s != VMP__NO_HOST;
  has[1] = t != VMP__NO_HOST;
  dom[0] = has[0] ? vmp__host_domain(p, dp->scope, s) : 0;
  dom[1] = has[1] ? vmp__host_domain(p, dp->scope, t) : 0;
  if (has[0] && has[1] && dom[0] == dom[1]) return 0;
  for (int side = 0; side < 2; side++) {
    const vmp__group *gr = side ? b : a;
    size_t(*n)[2] = side ? nb : na;
    for (uint32_t k = 0; k < gr->nvms; k++) {
      uint32_t w = gr->vms[k];
      for (int when = 0; when < 2; when++) {
        uint32_t h = w == v ? (when ? t : s) : P->npos[w];
        uint64_t x;
        if (h == VMP__NO_HOST) continue;
        x = vmp__host_domain(p, dp->scope, h);
        for (int d = 0; d < 2; d++)
          if (has[d] && x == dom[d]) n[d][when]++;
      }
    }
  }
  for (int d = 0; d < 2; d++) {
    if (!has[d]) continue;
    if (!nb[d][0]) before += na[d][0];
    if (!nb[d][1]) after += na[d][1];
  }
  return after > before;
}

/* Whether v's hard dependencies stay met with v on t and the rest where
 * npos has them: no more VMs of a dependent group in a domain without the
 * group they depend on than now (none, from a valid start).  *which (may
 * be NULL) receives the dependency that refuses. */
static int dep_ok(const planner *P, uint32_t v, uint32_t t, size_t *which) {
  for (size_t j = P->vd_start[v]; j < P->vd_start[v + 1]; j++)
    if (dep_worse(P, &P->p->deps[P->vd[j]], v, t)) {
      if (which) *which = P->vd[j];
      return 0;
    }
  return 1;
}

static const double *dem_of(const planner *P, uint32_t v) {
  return &P->p->vm_demand[(size_t)v * P->nres];
}

/* What v adds to host h when it arrives there: its demand, but for the
 * transient resources when h is its initial host (they stayed held there
 * while v was away: a VM moved away for a while and brought back).  The
 * result lives until the next call. */
static const double *dem_to(const planner *P, uint32_t v, uint32_t h) {
  const double *d = dem_of(P, v);
  if (!P->p->res_transient || h != P->p->vm_host[v]) return d;
  for (uint32_t r = 0; r < P->nres; r++)
    P->dbuf[r] = (P->p->res_transient >> r) & 1u ? 0.0 : d[r];
  return P->dbuf;
}

/* Whether v may go to h: a host being freed for one VM takes only that
 * VM until it has been there and left, and then only the VMs moved away
 * from it until they all are back (make_room). */
static int open_to(const planner *P, uint32_t v, uint32_t h) {
  if (h == VMP__NO_HOST) return 1;
  if (P->room_for[h] != VMP__NO_HOST) return P->room_for[h] == v;
  return !P->held[h] || (P->away[v] && P->tgt[v] == h);
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
    if (rc || !conc_ok(P, s) || !groups_ok(P, v, VMP__NO_HOST) ||
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
 * dependency of either as groups_ok and dep_ok keep them for one move:
 * compared with where npos has them now. */
static int listed(const uint32_t *list, size_t n, uint32_t x) {
  for (size_t k = 0; k < n; k++)
    if (list[k] == x) return 1;
  return 0;
}

static int pair_ok(planner *P, uint32_t v, uint32_t t, uint32_t w, uint32_t tw) {
  const vmp_problem *p = P->p;
  uint32_t saved = P->npos[v];
  const uint32_t *vg = &P->vg[P->vg_start[v]], *vd = &P->vd[P->vd_start[v]];
  size_t nvg = P->vg_start[v + 1] - P->vg_start[v], nvd = P->vd_start[v + 1] - P->vd_start[v];
  size_t nwg = P->vg_start[w + 1] - P->vg_start[w], nwd = P->vd_start[w + 1] - P->vd_start[w];
  int ok = 1;
  /* The groups and dependencies of v, then those of w that v is not in. */
  for (size_t j = 0; j < nvg + nwg && ok; j++) {
    uint32_t g = j < nvg ? vg[j] : P->vg[P->vg_start[w] + j - nvg];
    const vmp__group *gr = &p->groups[g];
    size_t before, after;
    if (j >= nvg && listed(vg, nvg, g)) continue;
    if (gr->policy == VMP_ANTI_AFFINITY) {
      uint32_t two[2] = {v, w}, from[2] = {saved, P->npos[w]}, to[2] = {t, tw};
      ok = !anti_worse_moves(P, gr, two, from, to, 2);
      continue;
    }
    before = spread_deficit(p, gr, P->npos, VMP__NO_HOST, 0);
    P->npos[v] = t;
    after = spread_deficit(p, gr, P->npos, w, tw);
    P->npos[v] = saved;
    if (after > before) ok = 0;
  }
  for (size_t j = 0; j < nvd + nwd && ok; j++) {
    uint32_t d = j < nvd ? vd[j] : P->vd[P->vd_start[w] + j - nvd];
    const vmp__dep *dp = &p->deps[d];
    size_t before, after;
    if (j >= nvd && listed(vd, nvd, d)) continue;
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
  add_load(P, P->peak, t, dem_to(P, v, t), sign);
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
  if (!conc_ok(P, sw) || !conc_ok(P, tw) || !open_to(P, w, tw)) return 0;
  if (!fits(P, P->peak, tw, dem_to(P, w, tw), NULL)) return 0;
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
  for (size_t j = P->vg_start[v]; j < P->vg_start[v + 1] && tries < PAIR_TRIES; j++) {
    const vmp__group *gr = &p->groups[P->vg[j]];
    for (uint32_t k = 0; k < gr->nvms && tries < PAIR_TRIES; k++)
      if (pair_with(P, v, t, gr->vms[k], &tries)) return gr->vms[k];
  }
  for (size_t j = P->vd_start[v]; j < P->vd_start[v + 1] && tries < PAIR_TRIES; j++) {
    const vmp__dep *dp = &p->deps[P->vd[j]];
    const vmp__group *a = &p->groups[dp->group], *b = &p->groups[dp->on];
    for (int side = 0; side < 2; side++) {
      const vmp__group *gr = side ? a : b;
      for (uint32_t k = 0; k < gr->nvms && tries < PAIR_TRIES; k++)
        if (pair_with(P, v, t, gr->vms[k], &tries)) return gr->vms[k];
    }
  }
  return VMP__NO_HOST;
}


/* Whether the moves of chain (VMs cv, already in the wave: npos has them on
 * their targets) keep every hard spread group and dependency any of them
 * is in, compared with the positions without them. */
static int chain_ok(planner *P, const uint32_t *cv, size_t n) {
  const vmp_problem *p = P->p;
  uint32_t saved[CHAIN_MAX];
  int ok = 1;
  for (size_t i = 0; i < n && ok; i++) {
    uint32_t v = cv[i];
    for (size_t j = P->vg_start[v]; j < P->vg_start[v + 1] && ok; j++) {
      const vmp__group *gr = &p->groups[P->vg[j]];
      size_t before, after;
      if (gr->policy == VMP_ANTI_AFFINITY) {
        uint32_t from[CHAIN_MAX], to[CHAIN_MAX];
        for (size_t c = 0; c < n; c++) from[c] = P->pos[cv[c]], to[c] = P->npos[cv[c]];
        ok = !anti_worse_moves(P, gr, cv, from, to, n);
        continue;
      }
      after = spread_deficit(p, gr, P->npos, VMP__NO_HOST, 0);
      for (size_t c = 0; c < n; c++) saved[c] = P->npos[cv[c]], P->npos[cv[c]] = P->pos[cv[c]];
      before = spread_deficit(p, gr, P->npos, VMP__NO_HOST, 0);
      for (size_t c = 0; c < n; c++) P->npos[cv[c]] = saved[c];
      if (after > before) ok = 0;
    }
    for (size_t j = P->vd_start[v]; j < P->vd_start[v + 1] && ok; j++) {
      const vmp__dep *dp = &p->deps[P->vd[j]];
      size_t before, after = vmp__dep_broken(p, dp, P->npos, VMP__NO_HOST, 0, NULL);
      for (size_t c = 0; c < n; c++) saved[c] = P->npos[cv[c]], P->npos[cv[c]] = P->pos[cv[c]];
      before = vmp__dep_broken(p, dp, P->npos, VMP__NO_HOST, 0, NULL);
      for (size_t c = 0; c < n; c++) P->npos[cv[c]] = saved[c];
      if (after == (size_t)-1 || before == (size_t)-1 || after > before) ok = 0;
    }
  }
  return ok;
}

/* A cycle of domains: v's move to t leaves a domain without what a hard
 * dependency (its group B) or spread group needs, another pending member
 * of that group must come into that domain, and its own departure leaves
 * a hole in turn, ... until a domain that loses a member gets one back
 * (the services of a rotation, one per neighborhood, each moving to the
 * next).  The chain is built greedily, the first fitting member into each
 * hole, at most CHAIN_MAX moves, and taken into the wave only when all of
 * them together keep every constraint they touch (chain_ok).  Returns the
 * number of moves taken (0: none), their VMs in cv (CHAIN_MAX). */
static size_t chain(planner *P, uint32_t v, uint32_t t, uint32_t *cv) {
  const vmp_problem *p = P->p;
  const vmp__group *members = NULL;
  uint32_t scope = 0;
  size_t n = 0;
  uint64_t hole;
  for (size_t j = P->vd_start[v]; j < P->vd_start[v + 1] && !members; j++) {
    const vmp__dep *dp = &p->deps[P->vd[j]];
    if (dep_worse(P, dp, v, t)) {
      members = &p->groups[dp->on];
      scope = dp->scope;
    }
  }
  for (size_t j = P->vg_start[v]; j < P->vg_start[v + 1] && !members; j++)
    if (p->groups[P->vg[j]].policy == VMP_SPREAD && spread_worse(P, &p->groups[P->vg[j]], v, t)) {
      members = &p->groups[P->vg[j]];
      scope = members->scope;
    }
  if (!members || P->pos[v] == VMP__NO_HOST) return 0;
  hole = vmp__host_domain(p, scope, P->pos[v]);
  take(P, v, P->pos[v], t, 1);
  cv[n++] = v;
  while (n < CHAIN_MAX) {
    uint32_t w = VMP__NO_HOST;
    for (uint32_t k = 0; k < members->nvms && w == VMP__NO_HOST; k++) {
      uint32_t x = members->vms[k], sx = P->pos[x], tx = P->tgt[x];
      if (tx == VMP__NO_HOST || sx == VMP__NO_HOST || sx == tx || P->npos[x] != sx) continue;
      if (vmp__host_domain(p, scope, tx) != hole ||
          vmp__host_domain(p, scope, sx) == hole)
        continue;
      if (!conc_ok(P, sx) || !conc_ok(P, tx) || !open_to(P, x, tx) ||
          !fits(P, P->peak, tx, dem_to(P, x, tx), NULL))
        continue;
      w = x;
    }
    if (w == VMP__NO_HOST) break;
    take(P, w, P->pos[w], P->tgt[w], 1);
    cv[n++] = w;
    if (chain_ok(P, cv, n)) return n;
    hole = vmp__host_domain(p, scope, P->pos[w]);
  }
  while (n--) take(P, cv[n], P->pos[cv[n]], P->tgt[cv[n]], -1);
  return 0;
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
      if (!conc_ok(P, s) || !conc_ok(P, t) || !open_to(P, v, t)) continue;
      if (!fits(P, P->peak, t, dem_to(P, v, t), NULL)) continue;
      alone = groups_ok(P, v, t) && dep_ok(P, v, t, NULL);
      if (!pairs && alone) {
        take(P, v, s, t, 1);
        if ((rc = emit(P, v, s, t, wave, 0))) return rc;
        (*taken)++;
      }
      if (!pairs || alone) continue;
      take(P, v, s, t, 1);
      if ((w = partner(P, v, t)) == VMP__NO_HOST) {
        uint32_t cv[CHAIN_MAX];
        size_t n;
        take(P, v, s, t, -1);
        if (!(n = chain(P, v, t, cv))) continue;
        for (size_t j = 0; j < n; j++)
          if ((rc = emit(P, cv[j], P->pos[cv[j]], P->tgt[cv[j]], wave, 0))) return rc;
        *taken += n;
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
        if (x == s || x == P->tgt[v] || P->conc[x] || src_used[x] || !open_to(P, v, x))
          continue;
        if (!vmp__model_allowed(P->m, P->m->vm_item[v], x)) continue;
        if (!fits(P, P->peak, x, dem_to(P, v, x), NULL)) continue;
        if (!groups_ok(P, v, x) || !dep_ok(P, v, x, NULL)) continue;
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
    add_load(P, P->peak, best_x, dem_to(P, best_v, best_x), 1.0);
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

/* A retry pass, at the start of every wave: an urgent VM (blocked in an
 * earlier pass) whose own move does not fit yet, and that sits on the
 * target of another urgent VM whose move does not fit either, goes to a
 * staging host now, while hosts still have room: the cycles of full hosts
 * that blocked the earlier pass are broken before the other moves fill
 * the hosts a VM could have gone through.  The roomiest allowed host takes
 * it; each VM is staged at most once. */
static int stage_urgent(planner *P, uint32_t wave, size_t *taken) {
  const vmp_problem *p = P->p;
  uint8_t *wanted = calloc(p->nhosts + 1, 1);
  int rc = VMP_OK;
  if (!wanted) return vmp__enomem();
  for (size_t k = 0; k < P->npending; k++) {
    uint32_t u = P->pending[k], t = P->tgt[u];
    if (P->urgent[u] && !fits(P, P->peak, t, dem_to(P, u, t), NULL)) wanted[t] = 1;
  }
  for (size_t k = 0; k < P->npending; k++) {
    uint32_t v = P->pending[k], s = P->pos[v], best_x = VMP__NO_HOST;
    double best_room = -HUGE_VAL;
    if (!P->urgent[v] || P->staged[v] || s == VMP__NO_HOST || !wanted[s] ||
        P->npos[v] != s || !conc_ok(P, s))
      continue;
    if (fits(P, P->peak, P->tgt[v], dem_to(P, v, P->tgt[v]), NULL)) continue;
    for (uint32_t x = 0; x < p->nhosts; x++) {
      double room;
      if (x == s || x == P->tgt[v] || !conc_ok(P, x) || !open_to(P, v, x)) continue;
      if (!vmp__model_allowed(P->m, P->m->vm_item[v], x)) continue;
      if (!fits(P, P->peak, x, dem_to(P, v, x), NULL)) continue;
      if (!groups_ok(P, v, x) || !dep_ok(P, v, x, NULL)) continue;
      room = spare(P, x, dem_of(P, v));
      if (room > best_room) {
        best_room = room;
        best_x = x;
      }
    }
    if (best_x == VMP__NO_HOST) continue;
    take(P, v, s, best_x, 1);
    P->staged[v] = 1;
    if ((rc = emit(P, v, s, best_x, wave, 1))) break;
    (*taken)++;
  }
  free(wanted);
  return rc;
}

/* What v's departure from h frees: its demand, but for the transient
 * resources when h is its initial host (they stay held there). */
static const double *freed_by(const planner *P, uint32_t v, uint32_t h, double *out) {
  for (uint32_t r = 0; r < P->nres; r++)
    out[r] = h == P->p->vm_host[v] && ((P->p->res_transient >> r) & 1u) ? 0.0 : dem_of(P, v)[r];
  return out;
}

/* The last resort, with allow_stop, when neither a move nor a staging
 * fits: a running VM that sits on the target of a stuck move, and whose
 * departure alone makes that move fit, is shut down where it runs (a stop
 * step) and stays pending: a later wave starts it on its target (a start
 * step), a cold move through no third host.  It holds its room until its
 * wave is over; a stop that would leave a hard spread group below its
 * minimum or break a hard dependency is not taken.  The VM with the least
 * memory is stopped, one per wave: the next wave may need no other. */
static int cold_stop_with(planner *P, uint32_t wave, size_t *taken, double *freed) {
  for (size_t k = 0; k < P->npending; k++) {
    uint32_t u = P->pending[k], s = P->tgt[u], best = VMP__NO_HOST;
    double best_mem = HUGE_VAL;
    if (P->conc[s]) continue;
    for (size_t j = 0; j < P->npending; j++) {
      uint32_t v = P->pending[j];
      double mem = vmp__plan_vm_mib(P->pl, P->plan_vm[v]);
      if (v == u || P->pos[v] != s || P->npos[v] != s) continue;
      if (!fits(P, P->load, s, dem_to(P, u, s), freed_by(P, v, s, freed))) continue;
      if (!groups_ok(P, v, VMP__NO_HOST) || !dep_ok(P, v, VMP__NO_HOST, NULL)) continue;
      if (mem < best_mem) {
        best_mem = mem;
        best = v;
      }
    }
    if (best == VMP__NO_HOST) continue;
    P->npos[best] = VMP__NO_HOST;
    P->conc[s]++;
    P->ncold++;
    (*taken)++;
    /* one per wave: the next wave may not need another */
    return emit(P, best, s, VMP__NO_HOST, wave, 0);
  }
  return VMP_OK;
}

static int cold_stop(planner *P, uint32_t wave, size_t *taken) {
  double freed[64], *big = P->nres > 64 ? malloc(P->nres * sizeof *big) : NULL;
  int rc;
  if (P->nres > 64 && !big) return vmp__enomem();
  rc = cold_stop_with(P, wave, taken, big ? big : freed);
  free(big);
  return rc;
}

/* ---- temporary evictions ------------------------------------------------------------ */

/* Gives problem VM v a row in the plan's VM table if it has none (a VM
 * the target leaves where it is, moved away for a while). */
static int plan_vm_of(planner *P, uint32_t v) {
  if (P->plan_vm[v] != VMP__PLAN_NONE) return VMP_OK;
  if (vmp__plan_add_vm(P->pl, vmp_problem_vm_name(P->p, v), dem_of(P, v), &P->plan_vm[v]))
    return vmp__enomem();
  P->vm_of[P->plan_vm[v]] = v;
  return VMP_OK;
}

/* The sum over resources of what host h lacks to take v after the wave,
 * each as a fraction of h's capacity: 0 when v fits. */
static double shortfall(const planner *P, uint32_t v, uint32_t h) {
  const double *d = dem_to(P, v, h);
  double s = 0.0;
  for (uint32_t r = 0; r < P->nres; r++) {
    size_t i = (size_t)h * P->nres + r;
    double x = P->peak[i] + d[r] - P->capx[i];
    if (x > 0.0) s += P->capx[i] > 0.0 ? x / P->capx[i] : HUGE_VAL;
  }
  return s;
}

/* Whether e may go from h to x in the wave being built: allowed, under
 * the per-host cap on both ends, open, room with the wave's moves in
 * flight, spread and dependency kept. */
static int away_ok(const planner *P, uint32_t e, uint32_t h, uint32_t x) {
  return conc_ok(P, h) && conc_ok(P, x) && open_to(P, e, x) &&
         vmp__model_allowed(P->m, P->m->vm_item[e], x) &&
         fits(P, P->peak, x, dem_to(P, e, x), NULL) && groups_ok(P, e, x) &&
         dep_ok(P, e, x, NULL);
}

/* The roomiest host, other than h and the hosts in `not` (2), that e may
 * go to (away_ok, but for the cap on h: free_host spreads the moves out
 * of h over waves); VMP__NO_HOST when none. */
static uint32_t away_host(const planner *P, uint32_t e, uint32_t h, const uint32_t *not) {
  uint32_t best = VMP__NO_HOST;
  double best_room = -HUGE_VAL;
  for (uint32_t x = 0; x < P->p->nhosts; x++) {
    double room;
    if (x == h || x == not[0] || x == not[1] || !away_ok(P, e, VMP__NO_HOST, x)) continue;
    room = spare(P, x, dem_to(P, e, x));
    if (room > best_room) {
      best_room = room;
      best = x;
    }
  }
  return best;
}

/* Finds VMs of h (at[lo..hi)) to move away so that v fits on h: one at a
 * time, each the one that covers most of what h still lacks (the
 * fraction of every short resource it frees, summed) among those with a
 * host to go to, at most ROOM_EVICT.  The search takes the moves into the
 * wave (take) as if they all went now, to see the room they use, and
 * takes them out again; they are listed in ev / evx.  Returns their
 * number, 0 when h cannot be freed. */
static size_t free_host(planner *P, uint32_t v, uint32_t h, const uint32_t *at, size_t lo,
                        size_t hi, double *lack, double *freed, uint32_t *ev, uint32_t *evx) {
  const double *d = dem_to(P, v, h);
  uint32_t not[2] = {P->pos[v], P->tgt[v]};
  size_t n = 0, ok;
  int short_of = 0;
  for (uint32_t r = 0; r < P->nres; r++) {
    size_t i = (size_t)h * P->nres + r;
    lack[r] = P->peak[i] + d[r] - P->capx[i];
    short_of |= lack[r] > 0.0;
  }
  while (short_of && n < ROOM_EVICT) {
    uint32_t cand[ROOM_TRIES], x = VMP__NO_HOST;
    double gain[ROOM_TRIES];
    size_t nc = 0;
    /* the ROOM_TRIES VMs of h that cover most, best first */
    for (size_t j = lo; j < hi; j++) {
      uint32_t e = at[j];
      double g = 0.0;
      size_t c;
      if (e == v || P->staged[e] || P->npos[e] != h || P->tgt[e] == VMP__NO_HOST) continue;
      freed_by(P, e, h, freed);
      for (uint32_t r = 0; r < P->nres; r++)
        if (lack[r] > 0.0) g += (freed[r] < lack[r] ? freed[r] : lack[r]) / lack[r];
      if (g <= 0.0) continue;
      if (nc == ROOM_TRIES && g <= gain[nc - 1]) continue;
      if (nc < ROOM_TRIES) nc++;
      for (c = nc - 1; c > 0 && gain[c - 1] < g; c--) {
        gain[c] = gain[c - 1];
        cand[c] = cand[c - 1];
      }
      gain[c] = g;
      cand[c] = e;
    }
    for (size_t c = 0; c < nc && x == VMP__NO_HOST; c++)
      if ((x = away_host(P, cand[c], h, not)) != VMP__NO_HOST) {
        ev[n] = cand[c];
        evx[n] = x;
      }
    if (x == VMP__NO_HOST) break;
    take(P, ev[n], h, x, 1);
    freed_by(P, ev[n], h, freed);
    n++;
    short_of = 0;
    for (uint32_t r = 0; r < P->nres; r++) {
      lack[r] -= freed[r];
      short_of |= lack[r] > 0.0;
    }
  }
  /* v goes once they are out, from where they leave everything */
  ok = !short_of && n && groups_ok(P, v, h) && dep_ok(P, v, h, NULL) ? n : 0;
  while (n--) take(P, ev[n], h, evx[n], -1);
  return ok;
}

/* Gives up the eviction in progress: the VMs already away come back when
 * they can. */
static void room_drop(planner *P) {
  if (P->room_host != VMP__NO_HOST) P->room_for[P->room_host] = VMP__NO_HOST;
  P->room_vm = P->room_host = VMP__NO_HOST;
  P->nev = P->evi = 0;
}

/* The steps of the eviction in progress that fit in this wave, first: the
 * next moves away from room_host (as many as the per-host cap lets go in
 * one wave), or, once they all are out, room_vm onto it.  A move that no
 * longer fits where it was meant to go (other moves took the room) ends
 * the eviction (room_drop). */
static int room_step(planner *P, uint32_t wave, size_t *taken) {
  uint32_t h = P->room_host, v = P->room_vm;
  int rc;
  if (h == VMP__NO_HOST) return VMP_OK;
  if (P->evi < P->nev) {
    while (P->evi < P->nev && conc_ok(P, h)) {
      uint32_t e = P->ev[P->evi], x = P->evx[P->evi];
      if (P->pos[e] != h || P->npos[e] != h || !away_ok(P, e, h, x)) {
        room_drop(P);
        return VMP_OK;
      }
      take(P, e, h, x, 1);
      if ((rc = plan_vm_of(P, e)) || (rc = emit(P, e, h, x, wave, 1))) return rc;
      P->pl->steps[P->pl->nsteps - 1].room_for = P->plan_vm[v];
      P->staged[e] = 1;
      if (P->tgt[e] == h) {
        /* the target leaves it on h: it comes back once v has left */
        P->away[e] = 1;
        P->held[h]++;
        P->pending[P->npending++] = e;
      }
      P->evi++;
      (*taken)++;
    }
    return VMP_OK;
  }
  if (P->npos[v] != P->pos[v] || !conc_ok(P, P->pos[v]) || !conc_ok(P, h) ||
      !fits(P, P->peak, h, dem_to(P, v, h), NULL) || !groups_ok(P, v, h) ||
      !dep_ok(P, v, h, NULL)) {
    room_drop(P);
    return VMP_OK;
  }
  /* done; room_for[h] stays v until v has left h */
  P->room_vm = P->room_host = VMP__NO_HOST;
  P->nev = P->evi = 0;
  P->staged[v] = 1;
  (*taken)++;
  rc = emit(P, v, P->pos[v], h, wave, 1);
  take(P, v, P->pos[v], h, 1);
  return rc;
}

/* A deadlock that no staging host can break (no host has room for any VM
 * whose departure would let a stuck move in): makes room on one.  For a
 * VM v that sits on the target of a stuck move, and whose departure alone
 * makes that move fit, the third hosts v may go to are tried by how
 * little they lack; on each, free_host looks for up to ROOM_EVICT of its
 * VMs (the target leaves them there, or their own moves are waiting) to
 * move to hosts with room.  The first that works is started (room_step):
 * those VMs leave over as many waves as the per-host cap needs, v goes
 * onto the host in the wave after, the move that was stuck follows, and
 * the VMs moved away come back (or go on to their targets) once v has
 * left.  Until then the host takes no other VM (open_to).  Each VM is
 * moved away at most once.  *taken counts the steps taken in this wave. */
static int make_room(planner *P, uint32_t wave, size_t *taken) {
  const vmp_problem *p = P->p;
  size_t nh = p->nhosts, nv = p->nvms, ntried = 0;
  size_t *start = calloc(nh + 2, sizeof *start);
  uint32_t *at = malloc((nv + 1) * sizeof *at), tried[ROOM_VMS];
  double *lack = malloc((P->nres + 1) * sizeof *lack);
  double *freed = malloc((P->nres + 1) * sizeof *freed);
  int rc = VMP_OK;
  *taken = 0;
  if (!start || !at || !lack || !freed) {
    rc = vmp__enomem();
    goto out;
  }
  /* Every VM by the host it is on (CSR). */
  for (uint32_t v = 0; v < nv; v++)
    if (P->pos[v] != VMP__NO_HOST) start[P->pos[v] + 2]++;
  for (size_t h = 0; h < nh; h++) start[h + 2] += start[h + 1];
  for (uint32_t v = 0; v < nv; v++)
    if (P->pos[v] != VMP__NO_HOST) at[start[P->pos[v] + 1]++] = v;
  for (size_t k = 0; k < P->npending && ntried < ROOM_VMS; k++) {
    uint32_t u = P->pending[k], s = P->tgt[u];
    if (P->npos[u] != P->pos[u] || fits(P, P->peak, s, dem_to(P, u, s), NULL)) continue;
    for (size_t j = start[s]; j < start[s + 1] && ntried < ROOM_VMS; j++) {
      uint32_t v = at[j], hosts[ROOM_HOSTS];
      double score[ROOM_HOSTS];
      size_t nhosts = 0, n = 0;
      if (v == u || P->npos[v] != s || P->tgt[v] == VMP__NO_HOST || P->tgt[v] == s ||
          listed(tried, ntried, v))
        continue;
      if (!fits(P, P->load, s, dem_to(P, u, s), freed_by(P, v, s, freed))) continue;
      tried[ntried++] = v;
      /* the ROOM_HOSTS third hosts v may go to that lack least */
      for (uint32_t h = 0; h < nh; h++) {
        double sc;
        size_t c;
        if (h == s || h == P->tgt[v] || P->held[h] || P->room_for[h] != VMP__NO_HOST) continue;
        if (!vmp__model_allowed(P->m, P->m->vm_item[v], h)) continue;
        if (!((sc = shortfall(P, v, h)) > 0.0) || !isfinite(sc)) continue;
        if (nhosts == ROOM_HOSTS && sc >= score[nhosts - 1]) continue;
        if (nhosts < ROOM_HOSTS) nhosts++;
        for (c = nhosts - 1; c > 0 && score[c - 1] > sc; c--) {
          score[c] = score[c - 1];
          hosts[c] = hosts[c - 1];
        }
        score[c] = sc;
        hosts[c] = h;
      }
      for (size_t c = 0; c < nhosts && !n; c++) {
        uint32_t h = hosts[c];
        n = free_host(P, v, h, at, start[h], start[h + 1], lack, freed, P->ev, P->evx);
        if (!n) continue;
        P->nev = n;
        P->evi = 0;
        P->room_vm = v;
        P->room_host = h;
        P->room_for[h] = v;
        P->mark[u] = P->mark[v] = 1;
        rc = room_step(P, wave, taken);
        goto out;
      }
    }
  }
out:
  free(start);
  free(at);
  free(lack);
  free(freed);
  return rc;
}

/* A deadlock while hosts are held for VMs moved away: they open again (the
 * VMs may come back later, or end blocked).  Returns whether any was
 * held. */
static int open_all(planner *P) {
  int any = P->room_host != VMP__NO_HOST;
  room_drop(P);
  for (size_t h = 0; h < P->p->nhosts; h++) {
    any |= P->held[h] || P->room_for[h] != VMP__NO_HOST;
    P->held[h] = 0;
    P->room_for[h] = VMP__NO_HOST;
  }
  memset(P->away, 0, P->p->nvms);
  return any;
}

/* Moves the wave's steps into the loads and positions, and drops finished
 * VMs from the pending list. */
static void commit_wave(planner *P, size_t first_step) {
  size_t kept = 0;
  for (size_t k = first_step; k < P->pl->nsteps; k++) {
    const vmp__pstep *st = &P->pl->steps[k];
    uint32_t v = P->vm_of[st->vm];
    if (st->from != VMP__PLAN_NONE) {
      release(P, st->from, v);
      /* the VM a host was freed for has been there and left */
      if (P->room_for[st->from] == v) P->room_for[st->from] = VMP__NO_HOST;
    }
    if (st->to == VMP__PLAN_NONE) {
      P->pos[v] = VMP__NO_HOST;
      continue;
    }
    add_load(P, P->load, st->to, dem_to(P, v, st->to), 1.0);
    P->pos[v] = st->to;
    if (P->away[v] && st->to == P->tgt[v]) {
      /* back where the answer wants it: the host opens once all are */
      P->away[v] = 0;
      P->held[st->to]--;
    }
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
  for (size_t j = P->vg_start[v]; j < P->vg_start[v + 1]; j++) {
    const vmp__group *gr = &p->groups[P->vg[j]];
    if (gr->policy != VMP_ANTI_AFFINITY || !fits(P, P->load, t, d, NULL) ||
        !anti_worse(P, gr, v, t))
      continue;
    vmp__buf_printf(&b, "moving it to %s would put it in one %s with another VM of "
                    "anti-affinity group %s, alone or in one wave with any other "
                    "pending move",
                    vmp_problem_host_name(p, t),
                    gr->scope ? vmp__pool_str(&p->pool, gr->scope) : "host",
                    vmp__pool_str(&p->pool, gr->name));
    return vmp__buf_take(&b);
  }
  if (fits(P, P->load, t, d, NULL) && !groups_ok(P, v, t)) {
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
  vmp__buf_puts(&b, P->opts->staging ? "; no allowed host has room to stage a VM through, "
                                       "nor can one be freed by moving a few of its VMs "
                                       "away for a while"
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
    size_t early = 0, room = 0;
    if ((rc = room_step(P, wave, &room))) return rc;
    if (P->urgent && P->opts->staging && (rc = stage_urgent(P, wave, &early))) return rc;
    if ((rc = fill_wave(P, wave, &taken))) return rc;
    taken += early + room;
    if (!taken && !stopped && P->opts->staging && (rc = stage(P, wave, &taken))) return rc;
    if (!taken && !stopped && P->evict && (rc = make_room(P, wave, &taken))) return rc;
    if (!taken && !stopped && open_all(P)) continue; /* the same wave, every host open */
    if (!taken && !stopped && P->opts->allow_stop && (rc = cold_stop(P, wave, &taken)))
      return rc;
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

/* The groups a plan keeps between waves: hard spread groups with a
 * minimum of two domains or more, and hard anti-affinity groups.  Hard
 * affinity is kept on the target only: a group larger than the per-host
 * cap cannot move in one wave (docs/libvirt.md). */
static int kept_group(const vmp__group *gr) {
  return gr->hard && ((gr->policy == VMP_SPREAD && gr->min_domains >= 2) ||
                      gr->policy == VMP_ANTI_AFFINITY);
}

/* Appends x to v's list (CSR being filled: fill[v] is the next slot),
 * unless it was the last one put (a VM on both sides of a dependency: a
 * dependency puts all its VMs before the next one starts). */
static void index_put(size_t *start, size_t *fill, uint32_t *list, uint32_t v, uint32_t x) {
  if (fill[v] > start[v] && list[fill[v] - 1] == x) return;
  list[fill[v]++] = x;
}

/* Closes the gaps index_put left (start[v+1] becomes fill[v]'s end). */
static void compact(size_t *start, const size_t *fill, uint32_t *list, size_t nv) {
  size_t at = 0;
  for (size_t v = 0; v < nv; v++) {
    size_t from = start[v], n = fill[v] - from;
    memmove(&list[at], &list[from], n * sizeof *list);
    start[v] = at;
    at += n;
  }
  start[nv] = at;
}

/* For every VM, its hard spread groups and hard dependencies (CSR), so
 * that a move looks only at the constraints it can change. */
static int build_index(planner *P) {
  const vmp_problem *p = P->p;
  size_t nv = p->nvms, ng = 0, nd = 0, *gfill, *dfill;
  int rc = VMP_OK;
  P->vg_start = calloc(nv + 2, sizeof *P->vg_start);
  P->vd_start = calloc(nv + 2, sizeof *P->vd_start);
  gfill = calloc(nv + 1, sizeof *gfill);
  dfill = calloc(nv + 1, sizeof *dfill);
  if (!P->vg_start || !P->vd_start || !gfill || !dfill) goto nomem;
  for (size_t g = 0; g < p->ngroups; g++)
    if (kept_group(&p->groups[g]))
      for (uint32_t k = 0; k < p->groups[g].nvms; k++) P->vg_start[p->groups[g].vms[k] + 1]++;
  for (size_t d = 0; d < p->ndeps; d++) {
    const vmp__dep *dp = &p->deps[d];
    if (!dp->hard) continue;
    for (uint32_t k = 0; k < p->groups[dp->group].nvms; k++)
      P->vd_start[p->groups[dp->group].vms[k] + 1]++;
    for (uint32_t k = 0; k < p->groups[dp->on].nvms; k++)
      P->vd_start[p->groups[dp->on].vms[k] + 1]++;
  }
  for (size_t v = 0; v < nv; v++) {
    P->vg_start[v + 1] += P->vg_start[v];
    P->vd_start[v + 1] += P->vd_start[v];
  }
  ng = P->vg_start[nv];
  nd = P->vd_start[nv];
  P->vg = malloc((ng + 1) * sizeof *P->vg);
  P->vd = malloc((nd + 1) * sizeof *P->vd);
  if (!P->vg || !P->vd) goto nomem;
  memcpy(gfill, P->vg_start, nv * sizeof *gfill);
  memcpy(dfill, P->vd_start, nv * sizeof *dfill);
  for (size_t g = 0; g < p->ngroups; g++)
    if (kept_group(&p->groups[g]))
      for (uint32_t k = 0; k < p->groups[g].nvms; k++)
        index_put(P->vg_start, gfill, P->vg, p->groups[g].vms[k], (uint32_t)g);
  for (size_t d = 0; d < p->ndeps; d++) {
    const vmp__dep *dp = &p->deps[d];
    if (!dp->hard) continue;
    for (uint32_t k = 0; k < p->groups[dp->group].nvms; k++)
      index_put(P->vd_start, dfill, P->vd, p->groups[dp->group].vms[k], (uint32_t)d);
    for (uint32_t k = 0; k < p->groups[dp->on].nvms; k++)
      index_put(P->vd_start, dfill, P->vd, p->groups[dp->on].vms[k], (uint32_t)d);
  }
  compact(P->vg_start, gfill, P->vg, nv);
  compact(P->vd_start, dfill, P->vd, nv);
  goto out;
nomem:
  rc = vmp__enomem();
out:
  free(gfill);
  free(dfill);
  return rc;
}

static void planner_free(planner *P) {
  VMP__FREE_ALL(P->capx, P->load, P->peak, P->conc, P->pos, P->staged, P->pending, P->stops,
                P->plan_vm, P->vm_of, P->npos, P->vg_start, P->vg, P->vd_start, P->vd, P->held,
                P->room_for, P->away, P->dbuf, P->mark);
}

static int planner_init(planner *P, const vmp_problem *p, const vmp_solution *s,
                        const vmp__model *m, const vmp_plan_opts *opts, size_t *nmoving) {
  size_t nh = p->nhosts, nr = p->nres, hr = vmp__mul(nh, nr);
  int rc;
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
  P->held = calloc(nh + 1, sizeof *P->held);
  P->room_for = malloc((nh + 1) * sizeof *P->room_for);
  P->away = calloc(p->nvms + 1, 1);
  P->mark = calloc(p->nvms + 1, 1);
  P->dbuf = malloc((nr + 1) * sizeof *P->dbuf);
  P->room_vm = P->room_host = VMP__NO_HOST;
  if (!P->capx || !P->load || !P->peak || !P->conc || !P->pos || !P->staged ||
      !P->pending || !P->stops || !P->plan_vm || !P->vm_of || !P->npos || !P->held ||
      !P->room_for || !P->away || !P->dbuf || !P->mark)
    return vmp__enomem();
  for (size_t h = 0; h < nh; h++) P->room_for[h] = VMP__NO_HOST;
  for (size_t h = 0; h < nh; h++)
    for (size_t r = 0; r < nr; r++) {
      double c = vmp_problem_host_effective_capacity(p, h, r);
      P->capx[h * nr + r] = c * (1 + VMP__REL_EPS) + VMP__ABS_EPS;
    }
  if ((rc = build_index(P))) return rc;
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

/* One pass of the planner, with temporary evictions when evict is set;
 * urgent (may be NULL) marks the VMs to move first and stage early.  On
 * success *out is the plan, *ncold its cold moves, and left[v]
 * (when not NULL) is set for every VM it leaves blocked or moves cold and
 * for those of the deadlocks it broke by evictions. */
static int plan_pass(const vmp_problem *p, const vmp_solution *target, const vmp__model *m,
                     const vmp_plan_opts *opts, int evict, const uint8_t *urgent, uint8_t *left,
                     vmp_plan **out, size_t *ncold) {
  planner P;
  size_t nmoving = 0;
  int rc = planner_init(&P, p, target, m, opts, &nmoving);
  *out = NULL;
  P.urgent = urgent;
  P.evict = evict;
  if (!rc && urgent) {
    /* urgent VMs first, each part in VM order */
    size_t n = 0;
    uint32_t *order = malloc((P.npending + 1) * sizeof *order);
    if (!order) rc = vmp__enomem();
    for (int pass = 0; !rc && pass < 2; pass++)
      for (size_t k = 0; k < P.npending; k++)
        if ((urgent[P.pending[k]] ? 0 : 1) == pass) order[n++] = P.pending[k];
    if (!rc) memcpy(P.pending, order, P.npending * sizeof *order);
    free(order);
  }
  if (!rc) rc = vmp__plan_alloc(p->nres, p->nhosts, nmoving, &P.pl);
  if (!rc) {
    P.pl->max_concurrent = opts->max_concurrent;
    P.pl->bandwidth = opts->bandwidth_mibps;
    rc = plan_tables(&P, P.load);
  }
  if (!rc) rc = vmp__plan_finish(P.pl); /* the memory resource, for staging choices */
  if (!rc) rc = report_unplaced(&P);
  if (!rc) rc = run_waves(&P);
  if (!rc) {
    P.pl->status = P.pl->nblocked ? VMP_PLAN_BLOCKED : VMP_PLAN_COMPLETE;
    rc = vmp__plan_finish(P.pl);
  }
  if (!rc && left) {
    for (size_t v = 0; v < p->nvms; v++) left[v] |= P.mark[v];
    for (size_t k = 0; k < P.npending; k++) left[P.pending[k]] = 1;
    for (size_t k = 0; k < P.nstops; k++) left[P.stops[k]] = 1;
    /* a VM stopped for a cold move counts as blocked for the next pass */
    for (size_t k = 0; k < P.pl->nsteps; k++)
      if (P.pl->steps[k].to == VMP__PLAN_NONE && target->vm_host[P.vm_of[P.pl->steps[k].vm]] !=
                                                     VMP__NO_HOST)
        left[P.vm_of[P.pl->steps[k].vm]] = 1;
  }
  *ncold = P.ncold;
  if (rc) vmp_plan_free(P.pl);
  else *out = P.pl;
  planner_free(&P);
  return rc;
}

/* Passes after the first, when it leaves moves blocked. */
#define PLAN_RETRIES 3

int vmp_plan_new(const vmp_problem *p, const vmp_solution *target,
                 const vmp_plan_opts *opts_in, vmp_plan **out) {
  vmp_plan_opts loaded, *opts = &loaded;
  vmp__model *m = NULL;
  vmp_plan *best = NULL, *pl = NULL;
  uint8_t *urgent = NULL;
  size_t best_cold = 0, cold = 0;
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
  if (!(urgent = calloc(p->nvms + 1, 1))) rc = vmp__enomem();
  /* A plan that leaves moves blocked (or moves VMs cold) is made again
   * with the VMs blocked so far moved first and staged early
   * (stage_urgent), up to PLAN_RETRIES times; if every such pass still
   * blocks or stops VMs, the same passes again with temporary evictions
   * (make_room), the VMs of the deadlocks they break marked too.  The
   * pass that blocks fewest VMs, then stops fewest for a cold move, then
   * takes fewest steps, wins: a plan that needs no eviction is never
   * changed by them, and a live one beats one with cold moves. */
  for (int evict = 0; !rc && evict < 2; evict++)
    for (int pass = 0; !rc && pass <= PLAN_RETRIES; pass++) {
      if ((pass || evict) && (!opts->staging || (!best->nblocked && !best_cold))) break;
      if ((rc = plan_pass(p, target, m, opts, evict, pass ? urgent : NULL, urgent,
                          &pl, &cold)))
        break;
      if (!best || pl->nblocked < best->nblocked ||
          (pl->nblocked == best->nblocked &&
           (cold < best_cold || (cold == best_cold && pl->nsteps < best->nsteps)))) {
        vmp_plan_free(best);
        best = pl;
        best_cold = cold;
      } else {
        vmp_plan_free(pl);
      }
      pl = NULL;
    }
  free(urgent);
  if (!rc && (rc = vmp_plan_verify(best, p, target)) && rc != VMP_ENOMEM)
    rc = vmp__error_prefix(VMP_EINTERNAL, "planner bug: the plan checker refused the plan");
  vmp__model_free(m);
  if (rc) {
    vmp_plan_free(best);
    return rc;
  }
  *out = best;
  return VMP_OK;
}
