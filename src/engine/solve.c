/*
 * vmp_solve: compile, run the solver, verify through the evaluator, build
 * the solution; vmp_write_model.  The context a solver runs in is
 * src/runtime/runtime.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disruption.h"
#include "engine.h"
#include "opts.h"
#include "solvers.h"
#include "solution_impl.h"
#include "state.h"

VMP__OPTS_ABI(solve_opts_abi, vmp_solve_opts, VMP_SOLVE_OPTS_VERSION, VMP_SOLVE_OPTS_INIT,
              "solve options", "vmp_solve_opts_init",
              VMP__OPTS_END(vmp_solve_opts, incumbent));

int vmp_solve_opts_init(vmp_solve_opts *opts, uint32_t version) {
  return vmp__opts_init(&solve_opts_abi, opts, version);
}

int vmp__engine_load_solve_opts(vmp_solve_opts *dst, const vmp_solve_opts *src) {
  return vmp__opts_load(&solve_opts_abi, dst, src);
}

/* ---- vmp_solve ---------------------------------------------------------------------------- */

/* Fields of opts (already loaded, so of the latest version). */
static int check_opts(const vmp_solve_opts *o) {
  if (isnan(o->time_limit))
    return vmp__error(VMP_EINVAL, "opts.time_limit is not a number");
  if (!(o->progress_interval >= 0.0) || !isfinite(o->progress_interval))
    return vmp__error(VMP_EINVAL, "opts.progress_interval must be >= 0");
  if (o->threads > 1024)
    return vmp__error(VMP_EINVAL, "opts.threads: %u is more than 1024",
                      (unsigned)o->threads);
  return 0;
}

/* Maps a warm-start solution to items by VM and host names. */
static int map_incumbent(const vmp__model *m, const vmp_problem *p,
                         const vmp_solution *inc, int32_t **out) {
  int32_t *host = malloc((m->nitems ? m->nitems : 1) * sizeof *host);
  uint8_t *set = calloc(m->nitems + 1, 1);
  *out = NULL;
  if (!host || !set) {
    free(host);
    free(set);
    return vmp__enomem();
  }
  for (size_t i = 0; i < m->nitems; i++) host[i] = -1;
  for (size_t v = 0; v < inc->nvms; v++) {
    size_t pv, ph;
    const char *hn = vmp_solution_vm_host_name(inc, v);
    uint32_t i;
    if (!hn) continue;
    if (v < p->nvms && !strcmp(vmp_problem_vm_name(p, v), inc->vm_name[v]))
      pv = v;
    else if (vmp_problem_find_vm(p, inc->vm_name[v], &pv))
      continue;
    if (vmp_problem_find_host(p, hn, &ph)) continue;
    i = m->vm_item[pv];
    if (!set[i]) {
      host[i] = (int32_t)ph;
      set[i] = 1;
    } else if (host[i] != (int32_t)ph) {
      host[i] = -1; /* members disagree: no hint for this unit */
    }
  }
  free(set);
  vmp_clear_error();
  *out = host;
  return 0;
}

/* The evaluation (and the reasons of unplaced VMs) can only be timed once
 * the solution exists: its time is appended to the solution's stats. */
static void add_verify_time(vmp_solution *s, double seconds) {
  vmp__stat *st = realloc(s->stats, (s->nstats + 1) * sizeof *st);
  if (!st) return; /* a missing statistic is not worth failing the solve */
  s->stats = st;
  if (!(st[s->nstats].name = vmp__strdup("verify.seconds"))) return;
  st[s->nstats++].value = seconds;
}

static void init_ctx(vmp__ctx *ctx, const vmp__model *m, const vmp_solve_opts *opts,
                     const char *solver, double t0, const int32_t *incumbent) {
  memset(ctx, 0, sizeof *ctx);
  ctx->m = m;
  ctx->opts = opts;
  ctx->params = opts->params;
  ctx->solver = solver;
  ctx->t_start = t0;
  /* The last twentieth of the limit is kept for the minimal-disruption
   * pass (src/engine/disruption.h), so that the whole solve keeps its limit. */
  ctx->deadline = opts->time_limit > 0.0 ? t0 + 0.95 * opts->time_limit : HUGE_VAL;
  ctx->seed = opts->seed;
  ctx->threads = opts->threads;
  ctx->incumbent = incumbent;
  atomic_init(&ctx->stop, 0);
  ctx->best_objective = HUGE_VAL;
  ctx->best_bound = -HUGE_VAL;
}

static uint32_t default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (uint32_t)n : 1;
}

int vmp_solve(const vmp_problem *p, const vmp_solve_opts *opts_in,
              vmp_solution **out) {
  vmp_solve_opts opts;
  vmp_params *empty = NULL;
  const vmp__solver *solver;
  vmp__model *m = NULL;
  vmp__result res;
  vmp__ctx ctx;
  vmp__solution_info info;
  int32_t *incumbent = NULL, *vm_host = NULL;
  uint32_t *vh = NULL;
  double t0 = vmp__now(), t_compile, t_solver, t_verify, model_bound;
  vmp__bounds bounds;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  if ((rc = vmp__opts_load(&solve_opts_abi, &opts, opts_in))) return rc;
  if ((rc = check_opts(&opts))) return rc;
  if (!opts.solver || !opts.solver[0]) opts.solver = "auto";
  if (!(solver = vmp__solver_find(opts.solver))) {
    vmp__buf names;
    vmp__buf_init(&names);
    for (size_t k = 0; k < vmp__solver_count(); k++)
      vmp__buf_printf(&names, "%s%s", k ? ", " : "", vmp__solver_at(k)->name);
    rc = vmp__error(VMP_ENOTFOUND, "unknown solver \"%s\" (available: %s)", opts.solver,
                    names.data ? names.data : "");
    vmp__buf_free(&names);
    return rc;
  }
  if (!opts.params) {
    if ((rc = vmp_params_new(&empty))) return rc;
    opts.params = empty;
  }
  if (opts.threads == 0) opts.threads = default_threads();
  if ((rc = vmp__model_compile(p, &m))) goto done;
  t_compile = vmp__now() - t0;
  if (opts.incumbent && (rc = map_incumbent(m, p, opts.incumbent, &incumbent))) goto done;

  init_ctx(&ctx, m, &opts, solver->name, t0, incumbent);
  vmp__model_bounds(m, &bounds);
  model_bound = bounds.bound;
  ctx.best_bound = model_bound;

  if ((rc = vmp__solver_accepts(solver, m))) goto done;
  if ((rc = vmp__result_init(&res, m->nitems))) goto done;
  vmp__ctx_log(&ctx, VMP_LOG_INFO,
               "solve: %zu VMs in %zu units, %zu hosts in %u classes, solver %s",
               m->nvms, m->nitems, m->nhosts, (unsigned)m->nhclasses, solver->name);
  /* One report before any work, whatever the solver: the caller sees the
   * model's bound at once, and a progress callback is called at least once
   * per solve, so that stopping from it works even with a solver that
   * never reports.  The solver runs even when asked to stop here: every
   * solver builds its first placement (a greedy construction, fast) before
   * it looks at the stop flag, so an interrupted solve still returns a
   * usable placement — stopping means "stop improving", not "give me
   * nothing". */
  t_solver = vmp__now();
  vmp__ctx_progress(&ctx, HUGE_VAL, model_bound, 0, 0, 1);
  rc = solver->solve(&ctx, &res);
  if (!rc && ctx.interrupted) res.stop_reason = VMP_STOP_INTERRUPTED;
  t_solver = vmp__now() - t_solver;
  if (rc) {
    vmp__result_free(&res);
    goto done;
  }
  /* Unplaceable items stay out whatever a solver says. */
  for (size_t i = 0; i < m->nitems; i++)
    if (m->item_unplaceable[i]) res.host[i] = -1;
  vm_host = malloc((m->nvms + 1) * sizeof *vm_host);
  vh = malloc((m->nvms + 1) * sizeof *vh);
  if (!vm_host || !vh) {
    rc = vmp__enomem();
    vmp__result_free(&res);
    goto done;
  }
  vmp__items_to_vms(m, res.host, vm_host);
  for (size_t v = 0; v < m->nvms; v++)
    vh[v] = vm_host[v] < 0 ? VMP__NO_HOST : (uint32_t)vm_host[v];
  /* Minimal disruption: among placements of equal objective, the one that
   * moves fewer (and cheaper) VMs; an optimal current placement moves
   * nothing.  Whatever the solver, its placement goes through the same
   * pass (docs/solvers.md). */
  if ((rc = vmp__disruption_prune(p, m, vh, VMP_NONE,
                                 opts.time_limit > 0.0 ? t0 + opts.time_limit : HUGE_VAL,
                                 1))) {
    vmp__result_free(&res);
    goto done;
  }

  memset(&info, 0, sizeof info);
  info.solver = solver->name;
  info.stop_reason = res.stop_reason;
  info.bound = res.bound > model_bound ? res.bound : model_bound;
  info.proven_infeasible = res.proven_infeasible;
  vmp__stats_set(&res.stats, "compile.seconds", t_compile);
  vmp__stats_set(&res.stats, "model.items", (double)m->nitems);
  vmp__stats_set(&res.stats, "model.host_classes", (double)m->nhclasses);
  vmp__stats_set(&res.stats, "model.allowed_classes", (double)m->naclasses);
  vmp__stats_set(&res.stats, "bound.model", model_bound);
  vmp__stats_set(&res.stats, "solver.seconds", t_solver);
  vmp__stats_set(&res.stats, "bound.volume", bounds.volume);
  vmp__stats_set(&res.stats, "bound.l2", bounds.l2);
  vmp__stats_set(&res.stats, "bound.cover_lp", bounds.cover_lp);
  info.stat_names = (const char *const *)res.stats.names;
  info.stat_values = res.stats.values;
  info.nstats = res.stats.n;
  info.time_s = vmp__now() - t0;
  /* A solver that ignores the rebalancing terms proved nothing about
   * them: its bound stays (the terms are >= 0), its optimality does not. */
  if (res.proven_optimal && (m->needs & VMP__NEED_TERMS & ~solver->handles))
    res.proven_optimal = 0;
  if (res.proven_optimal) {
    /* The solver proved its placement optimal: the bound is its objective
     * (computed below by the evaluator). */
    info.bound = HUGE_VAL;
  }
  t_verify = vmp__now();
  rc = vmp__solution_build(p, vh, &info, out);
  if (!rc && !res.proven_optimal && (*out)->status != VMP_STATUS_INVALID &&
      info.bound > (*out)->objective + 1e-6 * fmax(1.0, fabs((*out)->objective))) {
    /* A bound above the objective of a valid placement is no bound: a
     * solver bug.  Never let it pass as a proof (the evaluator would clip it
     * to the objective and call the placement optimal); keep the model's. */
    vmp__ctx_log(&ctx, VMP_LOG_WARN,
                 "solve: %s reported bound %.17g above its objective %.17g; "
                 "using the model bound %.17g (please report this bug)",
                 solver->name, info.bound, (*out)->objective, model_bound);
    vmp_solution_free(*out);
    *out = NULL;
    info.bound = model_bound;
    info.proven_infeasible = 0;
    rc = vmp__solution_build(p, vh, &info, out);
  }
  if (!rc) add_verify_time(*out, vmp__now() - t_verify);
  if (!rc && (*out)->status == VMP_STATUS_INVALID) {
    const char *msg = (*out)->nviol ? (*out)->viol[0].message : "";
    rc = vmp__error(VMP_EINTERNAL,
                    "solver %s returned a placement that breaks hard "
                    "constraints (%s); please report this bug",
                    solver->name, msg);
    vmp_solution_free(*out);
    *out = NULL;
  }
  if (!rc)
    vmp__ctx_log(&ctx, VMP_LOG_INFO, "solve: %s (%s), objective %g, bound %g, %.3f s",
                 vmp_status_name((*out)->status),
                 vmp_stop_reason_name((*out)->stop_reason), (*out)->objective,
                 (*out)->bound, info.time_s);
  vmp__result_free(&res);
done:
  free(vm_host);
  free(vh);
  free(incumbent);
  vmp__model_free(m);
  vmp_params_free(empty);
  return rc;
}

int vmp_write_model(const vmp_problem *p, const vmp_solve_opts *opts_in, const char *path,
                    int format) {
  vmp_solve_opts opts;
  vmp_params *empty = NULL;
  vmp__model *m = NULL;
  int32_t *incumbent = NULL;
  vmp__ctx ctx;
  size_t len;
  int rc;
  if (!p || !path) return vmp__error(VMP_EINVAL, "problem or path is NULL");
  len = strlen(path);
  if (format == VMP_MODEL_AUTO) {
    if (len > 3 && !strcmp(path + len - 3, ".lp"))
      format = VMP_MODEL_LP;
    else if (len > 4 && !strcmp(path + len - 4, ".mps"))
      format = VMP_MODEL_MPS;
    else
      return vmp__error(VMP_EINVAL, "%s: cannot tell the model format; name it *.lp or *.mps",
                        path);
  }
  if (format != VMP_MODEL_LP && format != VMP_MODEL_MPS)
    return vmp__error(VMP_EINVAL, "unknown model format %d", format);
  if ((rc = vmp__opts_load(&solve_opts_abi, &opts, opts_in))) return rc;
  if ((rc = check_opts(&opts))) return rc;
  if (!opts.params) {
    if ((rc = vmp_params_new(&empty))) return rc;
    opts.params = empty;
  }
  if (opts.threads == 0) opts.threads = default_threads();
  if ((rc = vmp__model_compile(p, &m))) goto done;
  if (opts.incumbent && (rc = map_incumbent(m, p, opts.incumbent, &incumbent))) goto done;
  /* The MIP does not model the hard rebalancing constraints: writing it
   * would hand another solver a different problem. */
  if ((rc = vmp__solver_accepts(vmp__solver_find("ilp"), m))) goto done;
  init_ctx(&ctx, m, &opts, "ilp", vmp__now(), incumbent);
  ctx.best_bound = vmp__model_bound(m);
  rc = vmp__ilp_write(&ctx, path, format);
done:
  free(incumbent);
  vmp__model_free(m);
  vmp_params_free(empty);
  return rc;
}
