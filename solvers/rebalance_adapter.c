/*
 * rebalance: the machine-reassignment engine (solvers/rebalance/, input
 * contract rmodel.h) as a vmplace solver.  This file converts the compiled
 * model into a vmp__rmodel (rebalance_adapter.h: also the way the ROADEF
 * dev harness and the engine's tests read their files), starts the engine
 * from the current placement (or the incumbent) and hands its answer and
 * lower bound back.
 *
 * The engine places every VM and models: capacities, transient resources,
 * conflict sets (hard host anti-affinity), spread minimums, dependencies,
 * allowed hosts (hard rules, allowed_hosts, pins), maintenance hosts, and
 * the objective terms safety, ratio_balance, migrations, group_moves,
 * host_moves and cost.  Anything else makes it decline with VMP_ENOTSUP
 * and a message that names the feature (docs/solvers.md).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rebalance_adapter.h"
#include "solvers.h"

void vmp__rebalance_input_free(vmp__rebalance_input *c) {
  if (!c) return;
  VMP__FREE_ALL(c->init, c->gstart, c->gvms, c->hcls, c->cstart, c->cvms, c->ndom, c->label,
                c->astart, c->ahosts, c->svms, c->da, c->db, c->transient, c->closed, c->bal,
                c->spread, c->dep, c->hmc);
  memset(c, 0, sizeof *c);
}

static const char *gname(const vmp__model *m, uint32_t g) {
  return vmp_problem_group_name(m->p, g);
}

/* What the engine does not model, as a message; NULL when it does. */
static int declines(const vmp__model *m) {
  if (m->nitems != m->nvms)
    return vmp__error(VMP_ENOTSUP, "rebalance: hard host affinity groups "
                      "(VMs placed as one unit) are not modelled; use "
                      "greedy/local/ilp");
  if (m->has_soft_rules)
    return vmp__error(VMP_ENOTSUP, "rebalance: soft rules are not modelled");
  if (m->w.balance > 0.0)
    return vmp__error(VMP_ENOTSUP, "rebalance: the \"balance\" objective "
                      "term (highest utilisation) is not modelled; use "
                      "ratio_balance or safety");
  for (uint32_t g = 0; g < m->ngroups; g++) {
    const vmp__mgroup *mg = &m->groups[g];
    if (!mg->hard)
      return vmp__error(VMP_ENOTSUP, "rebalance: soft group %s is not "
                        "modelled", gname(m, mg->group));
    if (mg->policy != VMP_ANTI_AFFINITY || m->scopes[mg->scope].dom)
      return vmp__error(VMP_ENOTSUP, "rebalance: group %s: only "
                        "anti-affinity over hosts is modelled (use a spread "
                        "group for label scopes)", gname(m, mg->group));
  }
  for (size_t i = 0; i < m->nitems; i++)
    if (m->item_unplaceable[i])
      return vmp__error(VMP_ENOTSUP, "rebalance: VM %s cannot be placed on "
                        "any host, and the rebalancer places every VM",
                        vmp_problem_vm_name(m->p, m->item_vms[m->item_start[i]]));
  return 0;
}

static int conv_groups(const vmp__model *m, vmp__rebalance_input *c) {
  c->gstart = malloc((m->ngm + 1) * sizeof *c->gstart);
  c->gvms = malloc(((m->ngm ? m->gm_start[m->ngm] : 0) + 1) * sizeof *c->gvms);
  if (!c->gstart || !c->gvms) return vmp__enomem();
  c->gstart[0] = 0;
  for (uint32_t g = 0; g < m->ngm; g++) {
    c->gstart[g + 1] = (int)m->gm_start[g + 1];
    for (uint32_t k = m->gm_start[g]; k < m->gm_start[g + 1]; k++)
      c->gvms[k] = (int)m->gm_vms[k];
  }
  c->r.n_groups = (int)m->ngm;
  c->r.group_start = c->gstart;
  c->r.group_vms = c->gvms;
  c->r.w_smc = m->w.group_moves;
  return 0;
}

static int conv_hmc(const vmp__model *m, vmp__rebalance_input *c) {
  uint32_t n = m->hmc_n, extra = 0;
  if (!m->hmc_class) return 0;
  for (size_t h = 0; h < m->nhosts; h++)
    if (m->hmc_class[h] == VMP__NO_CLASS) extra = 1;
  c->hcls = malloc((m->nhosts + 1) * sizeof *c->hcls);
  c->hmc = calloc((size_t)(n + extra) * (n + extra) + 1, sizeof *c->hmc);
  if (!c->hcls || !c->hmc) return vmp__enomem();
  for (size_t h = 0; h < m->nhosts; h++)
    c->hcls[h] = m->hmc_class[h] == VMP__NO_CLASS ? (int)n : (int)m->hmc_class[h];
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t j = 0; j < n; j++)
      c->hmc[(size_t)i * (n + extra) + j] = m->hmc[(size_t)i * n + j];
  c->r.n_hmc_class = (int)(n + extra);
  c->r.hmc_class = c->hcls;
  c->r.hmc = c->hmc;
  c->r.w_mmc = m->w.host_moves;
  return 0;
}

static int conv_conflicts(const vmp__model *m, vmp__rebalance_input *c) {
  size_t total = 0, at = 0;
  for (uint32_t g = 0; g < m->ngroups; g++) total += m->groups[g].nvms;
  c->cstart = malloc((m->ngroups + 1) * sizeof *c->cstart);
  c->cvms = malloc((total + 1) * sizeof *c->cvms);
  if (!c->cstart || !c->cvms) return vmp__enomem();
  c->cstart[0] = 0;
  for (uint32_t g = 0; g < m->ngroups; g++) {
    for (uint32_t k = 0; k < m->groups[g].nvms; k++)
      c->cvms[at++] = (int)m->groups[g].vms[k];
    c->cstart[g + 1] = (int)at;
  }
  c->r.n_conflict = (int)m->ngroups;
  c->r.conflict_start = c->cstart;
  c->r.conflict_vms = c->cvms;
  return 0;
}

static int conv_domains(const vmp__model *m, vmp__rebalance_input *c) {
  size_t ns = 0, na = 0, nb = 0, at = 0, atb = 0;
  c->ndom = malloc((m->nrdoms + 1) * sizeof *c->ndom);
  c->label = malloc(((size_t)m->nrdoms * m->nhosts + 1) * sizeof *c->label);
  if (!c->ndom || !c->label) return vmp__enomem();
  for (uint32_t l = 0; l < m->nrdoms; l++) {
    c->ndom[l] = (int)m->rdoms[l].ndom;
    for (size_t h = 0; h < m->nhosts; h++)
      c->label[l * m->nhosts + h] = (int)m->rdoms[l].dom[h];
  }
  c->r.n_labels = (int)m->nrdoms;
  c->r.n_domains = c->ndom;
  c->r.label = c->label;
  for (uint32_t s = 0; s < m->nspreads; s++) ns += m->spreads[s].nvms;
  for (uint32_t d = 0; d < m->ndeps; d++) {
    na += m->deps[d].na;
    nb += m->deps[d].nb;
  }
  c->spread = calloc(m->nspreads + 1, sizeof *c->spread);
  c->svms = malloc((ns + 1) * sizeof *c->svms);
  c->dep = calloc(m->ndeps + 1, sizeof *c->dep);
  c->da = malloc((na + 1) * sizeof *c->da);
  c->db = malloc((nb + 1) * sizeof *c->db);
  if (!c->spread || !c->svms || !c->dep || !c->da || !c->db)
    return vmp__enomem();
  for (uint32_t s = 0; s < m->nspreads; s++) {
    const vmp__mspread *sp = &m->spreads[s];
    vmp__rspread *x = &c->spread[s];
    x->label = (int)sp->doms;
    x->min_domains = (int)sp->min_domains;
    x->n_vms = (int)sp->nvms;
    x->vms = c->svms + at;
    for (uint32_t k = 0; k < sp->nvms; k++) c->svms[at++] = (int)sp->vms[k];
    x->weight = sp->hard ? 0.0 : (sp->weight > 0.0 ? sp->weight : 0.0);
    if (!sp->hard && sp->weight == 0.0) x->min_domains = 0;
  }
  c->r.n_spread = (int)m->nspreads;
  c->r.spread = c->spread;
  at = 0;
  for (uint32_t d = 0; d < m->ndeps; d++) {
    const vmp__mdep *dp = &m->deps[d];
    vmp__rdepend *x = &c->dep[d];
    x->label = (int)dp->doms;
    x->n_a = (int)dp->na;
    x->a = c->da + at;
    for (uint32_t k = 0; k < dp->na; k++) c->da[at++] = (int)dp->a[k];
    x->n_b = (int)dp->nb;
    x->b = c->db + atb;
    for (uint32_t k = 0; k < dp->nb; k++) c->db[atb++] = (int)dp->b[k];
    x->weight = dp->hard ? 0.0 : dp->weight;
    if (!dp->hard && dp->weight == 0.0) x->n_a = 0;   /* costs nothing */
  }
  c->r.n_depend = (int)m->ndeps;
  c->r.depend = c->dep;
  return 0;
}

/* Allowed hosts per VM from the items' allowed classes (hard rules,
 * allowed_hosts, pins); NULL lists when every VM may go anywhere.
 * Maintenance hosts stay in the lists: they are the engine's closed hosts,
 * which a VM may start on and must leave. */
static int conv_allowed(const vmp__model *m, vmp__rebalance_input *c) {
  size_t total = 0, at = 0, *cnt;
  int any = 0;
  for (uint32_t a = 0; a < m->naclasses; a++)
    if (m->aclasses[a].allowed.bits) any = 1;
  if (!any) return 0;
  /* Hosts per class, maintenance hosts included. */
  cnt = calloc(m->naclasses + 1, sizeof *cnt);
  if (!cnt) return vmp__enomem();
  for (uint32_t a = 0; a < m->naclasses; a++)
    for (size_t h = 0; h < m->nhosts; h++)
      cnt[a] += vmp__hostset_has(&m->aclasses[a].allowed, h);
  for (size_t v = 0; v < m->nvms; v++) total += cnt[m->item_aclass[m->vm_item[v]]];
  free(cnt);
  c->astart = malloc((m->nvms + 1) * sizeof *c->astart);
  c->ahosts = malloc((total + 1) * sizeof *c->ahosts);
  if (!c->astart || !c->ahosts) return vmp__enomem();
  for (size_t v = 0; v < m->nvms; v++) {
    const vmp__hostset *s = &m->aclasses[m->item_aclass[m->vm_item[v]]].allowed;
    c->astart[v] = (int)at;
    for (size_t h = 0; h < m->nhosts; h++)
      if (vmp__hostset_has(s, h)) c->ahosts[at++] = (int)h;
  }
  c->astart[m->nvms] = (int)at;
  c->r.allowed_start = c->astart;
  c->r.allowed_hosts = c->ahosts;
  return 0;
}

static int convert(const vmp__model *m, vmp__rebalance_input *c) {
  int rc, closed = 0;
  c->r.nv = (int)m->nvms;
  c->r.nh = (int)m->nhosts;
  c->r.nr = (int)m->nres;
  c->r.demand = m->dem;
  c->r.cap = m->cap;
  /* Without a safety term the safety capacity is the capacity (the
   * engine reads NULL the same way). */
  c->r.safety = m->safety;
  c->r.safety_weight = m->safety ? m->safety_w : NULL;
  c->transient = calloc(m->nres + 1, 1);
  c->bal = malloc((m->nratios + 1) * sizeof *c->bal);
  c->init = malloc((m->nvms + 1) * sizeof *c->init);
  c->closed = calloc(m->nhosts + 1, 1);
  if (!c->transient || !c->bal || !c->init || !c->closed) return vmp__enomem();
  for (uint32_t r = 0; r < m->nres; r++)
    c->transient[r] = (unsigned char)((m->transient >> r) & 1u);
  c->r.transient = c->transient;
  for (uint32_t b = 0; b < m->nratios; b++) {
    c->bal[b].r1 = (int)m->ratios[b].r1;
    c->bal[b].r2 = (int)m->ratios[b].r2;
    c->bal[b].target = m->ratios[b].target;
    c->bal[b].weight = m->ratios[b].weight;
  }
  c->r.n_balance = (int)m->nratios;
  c->r.balance = c->bal;
  for (size_t v = 0; v < m->nvms; v++) c->init[v] = m->cur[v];
  c->r.init = c->init;
  c->r.pmc = m->mig;
  c->r.w_pmc = m->w.migrations;
  for (size_t h = 0; h < m->nhosts; h++)
    if (!m->usable[h]) c->closed[h] = closed = 1;
  c->r.closed = closed ? c->closed : NULL;
  c->r.host_cost = m->w.cost > 0.0 ? m->cost : NULL;
  c->r.w_host = m->w.cost;
  if ((rc = conv_groups(m, c)) || (rc = conv_hmc(m, c)) ||
      (rc = conv_conflicts(m, c)) || (rc = conv_domains(m, c)) ||
      (rc = conv_allowed(m, c)))
    return rc;
  return 0;
}

int vmp__rebalance_from_model(const vmp__model *m,
                              vmp__rebalance_input *out) {
  int rc;
  memset(out, 0, sizeof *out);
  if ((rc = declines(m))) return rc;
  if ((rc = convert(m, out))) vmp__rebalance_input_free(out);
  return rc;
}

typedef struct cb {
  vmp__ctx *ctx;
  size_t nvms;
} cb;

static int progress(double best, double bound, void *ud) {
  cb *x = ud;
  return vmp__ctx_progress(x->ctx, best, bound, 0, x->nvms, 0) ||
         vmp__ctx_should_stop(x->ctx);
}

/* The start: the incumbent where it places every VM, else the current
 * hosts. */
static int start_of(const vmp__ctx *ctx, int *start) {
  const vmp__model *m = ctx->m;
  for (size_t v = 0; v < m->nvms; v++) {
    int32_t h = ctx->incumbent ? ctx->incumbent[m->vm_item[v]] : -1;
    if (h < 0) h = m->cur[v];
    if (h < 0)
      return vmp__error(VMP_ENOTSUP, "rebalance: VM %s has no current host; "
                        "the rebalancer starts from a complete placement "
                        "(place new VMs first, e.g. with --incremental)",
                        vmp_problem_vm_name(m->p, v));
    start[v] = h;
  }
  return 0;
}

/* The engine refused its start, naming it in its own indices ("VM 0:
 * host 0 not allowed"): the same refusal in the problem's names, from the
 * evaluator (VMs on hosts in maintenance are moved out first, so that is
 * not what is wrong). */
static int start_error(const vmp__model *m, const int *start) {
  size_t *host = malloc((m->nvms + 1) * sizeof *host);
  vmp_solution *e = NULL;
  char what[512];
  what[0] = '\0';
  if (!host) return vmp__enomem();
  for (size_t v = 0; v < m->nvms; v++) host[v] = start[v] < 0 ? VMP_NONE : (size_t)start[v];
  if (!vmp_evaluate(m->p, host, &e)) {
    for (size_t k = 0; k < vmp_solution_num_violations(e) && !what[0]; k++) {
      const char *kind, *msg;
      int hard;
      if (!vmp_solution_violation(e, k, &kind, &msg, &hard) && hard &&
          strcmp(kind, "maintenance"))
        snprintf(what, sizeof what, " (%s)", msg);
    }
    vmp_solution_free(e);
  }
  free(host);
  return vmp__error(VMP_ESTATE, "rebalance: the placement it starts from (the incumbent, "
                    "else the running one) breaks a hard constraint%s; the rebalancer "
                    "starts from a placement that meets them (auto places with its "
                    "classic chain first)", what);
}

static int rebalance_solve(vmp__ctx *ctx, vmp__result *res) {
  const vmp__model *m = ctx->m;
  vmp__rebalance_opts o = VMP__REBALANCE_OPTS_INIT;
  vmp__rebalance_stats st;
  int *start = NULL, *best = NULL, rc;
  double obj = HUGE_VAL, bound = -HUGE_VAL;
  cb x;
  vmp__rebalance_input c;
  if ((rc = vmp__rebalance_from_model(m, &c))) return rc;
  if ((rc = vmp__rmodel_check(&c.r))) goto done;
  start = malloc((m->nvms + 1) * sizeof *start);
  best = malloc((m->nvms + 1) * sizeof *best);
  if (!start || !best) {
    rc = vmp__enomem();
    goto done;
  }
  if ((rc = start_of(ctx, start))) goto done;
  x.ctx = ctx;
  x.nvms = m->nvms;
  o.deadline = ctx->deadline < HUGE_VAL ? ctx->deadline : 0.0;
  o.seed = ctx->seed;
  o.threads = (int)ctx->threads;
  o.lanes = (int)vmp__param_num(ctx, "rebalance.lanes", 0);
  o.max_moves = (int64_t)vmp__param_num(ctx, "rebalance.max_moves", 0);
  o.exact = vmp__param_num(ctx, "rebalance.exact", 1) > 0 ? 0 : -1;
  if (o.deadline <= 0.0 && o.max_moves <= 0) o.max_moves = 2000000;
  o.progress = progress;
  o.progress_userdata = &x;
  memset(&st, 0, sizeof st);
  rc = vmp__rebalance_run(&c.r, start, &o, best, &obj, &bound, &st);
  if (rc == VMP_ESTATE && !strncmp(vmp_last_error(), "start assignment infeasible", 27))
    rc = start_error(m, start);
  if (rc) goto done;
  if (!m->unplaced_auto) {
    /* The engine's bound holds for placements of every VM.  With an
     * explicit unplaced weight, leaving VMs out may cost less (a VM that
     * costs more on any host than its penalty): such a placement costs
     * at least the smallest penalty.  With the automatic weight it never
     * pays, since a placement of every VM exists (this one). */
    double least = HUGE_VAL;
    for (size_t v = 0; v < m->nvms; v++)
      if (m->pen[v] < least) least = m->pen[v];
    if (least < bound) bound = least;
  }
  for (size_t v = 0; v < m->nvms; v++) res->host[m->vm_item[v]] = best[v];
  res->bound = bound;
  /* `completed` only for a placement proven optimal (its objective at the
   * bound); a run that used up its move budget with the gap open reached
   * what it could. */
  res->stop_reason =
      st.stopped_by == 1   ? VMP_STOP_TIME_LIMIT
      : st.stopped_by == 2 ? (ctx->interrupted ? VMP_STOP_INTERRUPTED
                                               : vmp__ctx_stop_reason(ctx))
      : obj <= bound + 1e-9 * (fabs(obj) > 1.0 ? fabs(obj) : 1.0)
          ? VMP_STOP_COMPLETED
          : VMP_STOP_GAP_REACHED;
  vmp__stats_set(&res->stats, "rebalance.start_cost", st.start_cost);
  vmp__stats_set(&res->stats, "rebalance.attempts", (double)st.attempts);
  vmp__stats_set(&res->stats, "rebalance.accepted", (double)st.accepted);
  vmp__stats_set(&res->stats, "rebalance.improvements",
                 (double)st.improvements);
  vmp__stats_set(&res->stats, "rebalance.objective", obj);
  vmp__stats_set(&res->stats, "rebalance.bound", bound);
  if (st.exact_ran) {
    vmp__stats_set(&res->stats, "rebalance.exact_nodes", (double)st.exact_nodes);
    vmp__stats_set(&res->stats, "rebalance.exact_proven", st.exact_proven);
    vmp__stats_set(&res->stats, "rebalance.exact_improved", st.exact_improved);
  }
done:
  free(start);
  free(best);
  vmp__rebalance_input_free(&c);
  return rc;
}

static const vmp__param_spec rebalance_params[] = {
    {"rebalance.max_moves", VMP_PARAM_INT, 0, 1e15, "0",
     "move attempts per lane (0: until the time limit; 2,000,000 without "
     "one); without a time limit, a run is reproducible at any thread "
     "count (with one, the annealing's cooling follows the clock too)",
     NULL},
    {"rebalance.exact", VMP_PARAM_INT, 0, 1, "1",
     "1: on models of at most 4,000 (movable VM, allowed host) pairs, GLPK's "
     "branch and cut over the whole model after a short search, for a proof "
     "or a bound (up to 40,000 pairs, with a time limit: in its last quarter, "
     "for a bound); 0: the local search alone",
     NULL},
    {"rebalance.lanes", VMP_PARAM_INT, 0, 64, "0",
     "independent searches run on the threads (0: the engine's default)",
     NULL},
};

const vmp__solver vmp__solver_rebalance = {
    "rebalance",
    "machine reassignment: local search from the current placement with "
    "every rebalancing term and constraint (docs/rebalancing.md)",
    rebalance_solve, rebalance_params,
    sizeof rebalance_params / sizeof rebalance_params[0],
    VMP__NEED_HARD | VMP__NEED_TERMS};
