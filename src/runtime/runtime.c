/*
 * The solver runtime: what every solver calls while it runs.  Named
 * counters (vmp__stats_*), results (vmp__result_*) and the solve context
 * (clock, stop flag, progress and log callbacks).  vmp_solve (src/engine)
 * sets a context up and hands it to a solver; nothing here knows which
 * solvers exist.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

/* ---- stats ---------------------------------------------------------------------- */

void vmp__stats_init(vmp__stats *st) { memset(st, 0, sizeof *st); }

void vmp__stats_free(vmp__stats *st) {
  for (size_t k = 0; k < st->n; k++) free(st->names[k]);
  free(st->names);
  free(st->values);
  memset(st, 0, sizeof *st);
}

int vmp__stats_set(vmp__stats *st, const char *name, double value) {
  size_t cap2 = st->cap;
  for (size_t k = 0; k < st->n; k++)
    if (!strcmp(st->names[k], name)) {
      st->values[k] = value;
      return 0;
    }
  if (vmp__grow(&st->names, &cap2, st->n + 1, sizeof *st->names) ||
      vmp__grow(&st->values, &st->cap, st->n + 1, sizeof *st->values))
    return VMP_ENOMEM;
  if (!(st->names[st->n] = vmp__strdup(name))) return vmp__enomem();
  st->values[st->n++] = value;
  return 0;
}

int vmp__stats_add(vmp__stats *st, const char *name, double delta) {
  for (size_t k = 0; k < st->n; k++)
    if (!strcmp(st->names[k], name)) {
      st->values[k] += delta;
      return 0;
    }
  return vmp__stats_set(st, name, delta);
}

/* ---- results ------------------------------------------------------------------------ */

int vmp__result_init(vmp__result *res, size_t nitems) {
  memset(res, 0, sizeof *res);
  res->host = malloc((nitems ? nitems : 1) * sizeof *res->host);
  if (!res->host) return vmp__enomem();
  for (size_t i = 0; i < nitems; i++) res->host[i] = -1;
  res->bound = -HUGE_VAL;
  res->stop_reason = VMP_STOP_COMPLETED;
  vmp__stats_init(&res->stats);
  return 0;
}

void vmp__result_free(vmp__result *res) {
  free(res->host);
  vmp__stats_free(&res->stats);
  memset(res, 0, sizeof *res);
}

/* ---- context ------------------------------------------------------------------------- */

int vmp__ctx_should_stop(vmp__ctx *ctx) {
  if (atomic_load_explicit(&ctx->stop, memory_order_relaxed)) return 1;
  if (ctx->deadline < HUGE_VAL && vmp__now() >= ctx->deadline) {
    atomic_store(&ctx->stop, 1);
    return 1;
  }
  return 0;
}

double vmp__ctx_remaining(const vmp__ctx *ctx) {
  double r;
  if (ctx->deadline == HUGE_VAL) return HUGE_VAL;
  r = ctx->deadline - vmp__now();
  return r > 0.0 ? r : 0.0;
}

int vmp__ctx_stop_reason(const vmp__ctx *ctx) {
  if (ctx->interrupted) return VMP_STOP_INTERRUPTED;
  if (ctx->deadline < HUGE_VAL && vmp__now() >= ctx->deadline) return VMP_STOP_TIME_LIMIT;
  return VMP_STOP_COMPLETED;
}

int vmp__ctx_progress(vmp__ctx *ctx, double objective, double bound,
                      uint64_t iterations, size_t placed, int force) {
  vmp_progress pr;
  double now;
  if (objective < ctx->best_objective) {
    ctx->best_objective = objective;
    ctx->best_placed = placed;
  }
  if (bound > ctx->best_bound) ctx->best_bound = bound;
  /* After the callback said stop, it is not called again in this solve. */
  if (!ctx->opts->progress || ctx->interrupted) return vmp__ctx_should_stop(ctx);
  now = vmp__now();
  if (!force && now < ctx->next_progress) return vmp__ctx_should_stop(ctx);
  ctx->next_progress = now + ctx->opts->progress_interval;
  memset(&pr, 0, sizeof pr);
  pr.version = VMP_PROGRESS_VERSION;
  pr.solver = ctx->solver;
  pr.elapsed = now - ctx->t_start;
  pr.objective = ctx->best_objective;
  pr.bound = ctx->best_bound;
  pr.gap = ctx->best_objective < HUGE_VAL
               ? (ctx->best_objective - ctx->best_bound) /
                     (fabs(ctx->best_objective) > 1.0 ? fabs(ctx->best_objective) : 1.0)
               : HUGE_VAL;
  if (pr.gap < 0.0) pr.gap = 0.0;
  pr.iterations = iterations;
  pr.placed = ctx->best_placed;
  pr.total = ctx->m->nvms;
  if (ctx->opts->progress(&pr, ctx->opts->progress_userdata)) {
    ctx->interrupted = 1;
    atomic_store(&ctx->stop, 1);
  }
  return vmp__ctx_should_stop(ctx);
}

void vmp__ctx_log(const vmp__ctx *ctx, int level, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  if (!ctx->opts->log || level > ctx->opts->log_level) return;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  ctx->opts->log(level, buf, ctx->opts->log_userdata);
}

