/*
 * summary.md: what the results table says, per suite and solver, with the
 * command lines that produced it at the top.  Every figure is computed
 * from results.csv alone (stats.c holds the arithmetic), so rerunning the
 * commands reproduces it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmplace/vmplace.h"
#include "bench.h"
#include "report.h"

/* ---- grouping ------------------------------------------------------------------- */

static int in_list(char **v, size_t n, const char *s) {
  for (size_t k = 0; k < n; k++)
    if (!strcmp(v[k], s)) return 1;
  return 0;
}

size_t vmpb_report_suites(const vmpb_table *t, char ***out) {
  char **v = malloc((t->n + 1) * sizeof *v);
  size_t n = 0;
  for (size_t k = 0; v && k < t->n; k++)
    if (!in_list(v, n, t->rows[k].f[VMPB_COL_SUITE])) v[n++] = t->rows[k].f[VMPB_COL_SUITE];
  *out = v;
  return v ? n : 0;
}

/* Solvers are listed in one order in every suite: the library's (its
 * registry order), then the peers, then any other name, then the
 * reference row. */
static int solver_rank(const char *name) {
  for (size_t k = 0; k < vmp_num_solvers(); k++)
    if (!strcmp(vmp_solver_name(k), name)) return (int)k;
  if (!strcmp(name, "cbc")) return 1000;
  if (!strcmp(name, "cpsat")) return 1001;
  if (!strcmp(name, VMPB_BEST_HEURISTIC)) return 3000;
  return 2000;
}

static int cmp_solver(const void *a, const void *b) {
  const char *x = *(const char *const *)a, *y = *(const char *const *)b;
  int rx = solver_rank(x), ry = solver_rank(y);
  return rx != ry ? (rx < ry ? -1 : 1) : strcmp(x, y);
}

size_t vmpb_report_solvers(const vmpb_table *t, const char *suite,
                           char ***out) {
  char **v = malloc((t->n + 1) * sizeof *v);
  size_t n = 0;
  for (size_t k = 0; v && k < t->n; k++) {
    const vmpb_row *r = &t->rows[k];
    if (strcmp(r->f[VMPB_COL_SUITE], suite)) continue;
    if (!in_list(v, n, r->f[VMPB_COL_SOLVER])) v[n++] = r->f[VMPB_COL_SOLVER];
  }
  if (v && n) qsort(v, n, sizeof *v, cmp_solver);
  *out = v;
  return v ? n : 0;
}

int vmpb_status_ran(const char *status) {
  return strcmp(status, "unsupported") != 0;
}

int vmpb_instance_loaded(vmpb_table *t, const char *suite, const char *instance,
                         char **solvers, size_t ns) {
  int runs = 0, loaded = 0;
  for (size_t s = 0; s < ns; s++) {
    size_t k;
    const char *st;
    if (!strcmp(solvers[s], VMPB_BEST_HEURISTIC)) continue;
    k = vmpb_table_find(t, suite, instance, solvers[s]);
    if (k == (size_t)-1) continue;
    st = t->rows[k].f[VMPB_COL_STATUS];
    runs = 1;
    loaded |= vmpb_status_ran(st);
  }
  return !runs || loaded;
}

static int status_failed(const char *s) {
  return !strcmp(s, "timeout") || !strcmp(s, "crash") || !strcmp(s, "error");
}

static int status_timed(const char *s) {
  return !status_failed(s) && strcmp(s, "unsupported") && strcmp(s, "reference");
}

/* The highest bound any row of the instance proved, or NaN. */
static double best_bound(vmpb_table *t, const char *suite, const char *instance,
                         char **solvers, size_t ns) {
  double lb = NAN;
  for (size_t s = 0; s < ns; s++) {
    size_t k = vmpb_table_find(t, suite, instance, solvers[s]);
    double b = k == (size_t)-1 ? NAN : vmpb_row_num(&t->rows[k], VMPB_COL_BOUND);
    if (isfinite(b) && (isnan(lb) || b > lb)) lb = b;
  }
  return lb;
}

void vmpb_suite_stats(vmpb_table *t, const char *suite,
                      const char *solver, vmpb_solver_stats *st) {
  double *times = malloc((t->n + 1) * sizeof *times);
  size_t ntimes = 0, ns;
  double sum_value = 0, sum_best = 0, sum_gap = 0, sum_gap_bound = 0;
  char **solvers = NULL;
  memset(st, 0, sizeof *st);
  ns = vmpb_report_solvers(t, suite, &solvers);
  st->mean_gap = st->max_gap = st->total_vs_best = st->mean_gap_bound = NAN;
  st->median_time = st->p95_time = st->max_peak = NAN;
  for (size_t k = 0; k < t->n; k++) {
    const vmpb_row *r = &t->rows[k];
    const char *status = r->f[VMPB_COL_STATUS];
    double value = vmpb_row_num(r, VMPB_COL_VALUE);
    double best = vmpb_row_num(r, VMPB_COL_BEST_KNOWN);
    double bh = vmpb_row_num(r, VMPB_COL_BEST_HEURISTIC);
    double gap = vmpb_gap(value, best);
    double peak = vmpb_row_num(r, VMPB_COL_PEAK_MIB);
    if (strcmp(r->f[VMPB_COL_SUITE], suite) || strcmp(r->f[VMPB_COL_SOLVER], solver))
      continue;
    if (!vmpb_status_ran(status) ||
        !vmpb_instance_loaded(t, suite, r->f[VMPB_COL_INSTANCE], solvers, ns)) {
      /* a reference value on an instance no solver could load compares
       * with nothing */
      st->unsupported++;
      continue;
    }
    st->runs++;
    if (status_failed(status)) st->failed++;
    if (!isnan(value)) st->solved++;
    if (vmpb_matches(value, best)) st->matched++;
    if (!strcmp(r->f[VMPB_COL_PROVEN_OPTIMAL], "true")) st->proven++;
    if (!isnan(bh)) {
      st->with_heuristic++;
      if (vmpb_matches(value, bh)) st->beats_heuristic++;
    }
    if (!isnan(gap)) {
      st->with_gap++;
      sum_gap += gap;
      if (isnan(st->max_gap) || gap > st->max_gap) st->max_gap = gap;
      sum_value += value;
      sum_best += best;
    }
    if (!isnan(value)) {
      const char *inst = r->f[VMPB_COL_INSTANCE];
      double g = vmpb_gap(value, best_bound(t, suite, inst, solvers, ns));
      if (!isnan(g)) {
        st->with_bound_gap++;
        sum_gap_bound += g;
      }
    }
    if (status_timed(status) && times) {
      double tm = vmpb_row_num(r, VMPB_COL_TIME_S);
      if (!isnan(tm)) times[ntimes++] = tm;
    }
    if (!isnan(peak) && (isnan(st->max_peak) || peak > st->max_peak))
      st->max_peak = peak;
  }
  if (st->with_gap) {
    st->mean_gap = sum_gap / (double)st->with_gap;
    st->total_vs_best = sum_best > 0 ? sum_value / sum_best - 1 : NAN;
  }
  if (st->with_bound_gap) st->mean_gap_bound = sum_gap_bound / (double)st->with_bound_gap;
  if (times) {
    st->median_time = vmpb_median(times, ntimes);
    st->p95_time = vmpb_percentile(times, ntimes, 95);
  }
  free(times);
  free(solvers);
}

/* ---- formatting ------------------------------------------------------------------ */

static void pct(char *buf, size_t len, double x) {
  if (isnan(x))
    snprintf(buf, len, "–");
  else
    snprintf(buf, len, "%.2f%%", 100 * x);
}

static void secs(char *buf, size_t len, double x) {
  if (isnan(x))
    snprintf(buf, len, "–");
  else if (x < 0.1)
    snprintf(buf, len, "%.2f ms", 1000 * x);
  else
    snprintf(buf, len, "%.2f s", x);
}

static void num(char *buf, size_t len, double x, const char *fmt) {
  if (isnan(x))
    snprintf(buf, len, "–");
  else
    snprintf(buf, len, fmt, x);
}

/* Markdown table cells: a pipe would end the cell. */
static void md_cell(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '|')
      fputs("\\|", f);
    else if (*s == '\n')
      fputc(' ', f);
    else
      fputc(*s, f);
  }
}

/* Machine reassignment (rows with an initial cost): per solver, the
 * challenge's normalized gap (cost - best known) / initial cost, mean and
 * worst, how many answers are feasible and no costlier than the initial
 * assignment, and the worst cost / best known. */
static void reassignment_table(FILE *f, const vmpb_table *t, const char *suite,
                               char **solvers, size_t ns) {
  int any = 0;
  for (size_t k = 0; k < t->n && !any; k++)
    any = !strcmp(t->rows[k].f[VMPB_COL_SUITE], suite) &&
          !isnan(vmpb_row_num(&t->rows[k], VMPB_COL_INITIAL_COST));
  if (!any) return;
  fprintf(f, "| solver | runs | feasible, ≤ initial cost | mean normalized gap "
          "| worst normalized gap | worst cost / best known | bound ≤ best known |\n");
  fprintf(f, "|---|---:|---:|---:|---:|---:|---:|\n");
  for (size_t s = 0; s < ns; s++) {
    size_t runs = 0, ok = 0, ngap = 0, nbound = 0, bound_ok = 0;
    double sum = 0, worst = NAN, worst_ratio = NAN;
    char g1[32], g2[32], r1[32];
    for (size_t k = 0; k < t->n; k++) {
      const vmpb_row *r = &t->rows[k];
      double gap, ratio, value, init, bound, best;
      if (strcmp(r->f[VMPB_COL_SUITE], suite) || strcmp(r->f[VMPB_COL_SOLVER], solvers[s]))
        continue;
      runs++;
      gap = vmpb_row_num(r, VMPB_COL_NORMALIZED_GAP);
      ratio = vmpb_row_num(r, VMPB_COL_VS_BEST);
      value = vmpb_row_num(r, VMPB_COL_VALUE);
      init = vmpb_row_num(r, VMPB_COL_INITIAL_COST);
      bound = vmpb_row_num(r, VMPB_COL_BOUND);
      best = vmpb_row_num(r, VMPB_COL_BEST_KNOWN);
      if (!isnan(gap)) {
        ngap++;
        sum += gap;
        if (isnan(worst) || gap > worst) worst = gap;
        if (value <= init) ok++;
      }
      if (!isnan(ratio) && (isnan(worst_ratio) || ratio > worst_ratio)) worst_ratio = ratio;
      if (!isnan(bound) && !isnan(best)) {
        nbound++;
        if (bound <= best) bound_ok++;
      }
    }
    if (!runs) continue;
    if (ngap) {
      snprintf(g1, sizeof g1, "%.3f%%", 100 * sum / (double)ngap);
      snprintf(g2, sizeof g2, "%.3f%%", 100 * worst);
    } else {
      snprintf(g1, sizeof g1, "–");
      snprintf(g2, sizeof g2, "–");
    }
    if (isnan(worst_ratio))
      snprintf(r1, sizeof r1, "–");
    else
      snprintf(r1, sizeof r1, "%.4f", worst_ratio);
    fprintf(f, "| %s | %zu | %zu | %s | %s | %s | %zu of %zu |\n", solvers[s], runs, ok,
            g1, g2, r1, bound_ok, nbound);
  }
  fprintf(f, "\n*normalized gap* = (cost − best known) / initial cost, as the "
          "challenge ranked teams.\n\n");
}

static void suite_section(FILE *f, vmpb_table *t, const char *suite) {
  char **solvers = NULL, **seen = NULL;
  size_t ns = vmpb_report_solvers(t, suite, &solvers), ninst = 0, nbest = 0,
         nproven = 0, nunsup_inst = 0, nfail = 0, nseen = 0;
  double tl = NAN;
  int mixed_tl = 0, any_heur = 0;
  seen = malloc((t->n + 1) * sizeof *seen);
  for (size_t k = 0; seen && k < t->n; k++) {
    const vmpb_row *r = &t->rows[k];
    double rtl = vmpb_row_num(r, VMPB_COL_TIME_LIMIT);
    if (strcmp(r->f[VMPB_COL_SUITE], suite)) continue;
    if (!isnan(vmpb_row_num(r, VMPB_COL_BEST_HEURISTIC))) any_heur = 1;
    if (!isnan(rtl)) {
      if (!isnan(tl) && rtl != tl) mixed_tl = 1;
      tl = rtl;
    }
    if (in_list(seen, nseen, r->f[VMPB_COL_INSTANCE])) continue;
    seen[nseen++] = r->f[VMPB_COL_INSTANCE];
    ninst++;
    if (!isnan(vmpb_row_num(r, VMPB_COL_BEST_KNOWN))) nbest++;
    if (!strcmp(r->f[VMPB_COL_BEST_KNOWN_PROVEN], "true")) nproven++;
  }
  /* instances no solver could even load */
  for (size_t i = 0; i < nseen; i++) {
    int all_unsup = 1;
    for (size_t k = 0; k < t->n; k++) {
      const vmpb_row *r = &t->rows[k];
      if (!strcmp(r->f[VMPB_COL_SUITE], suite) && !strcmp(r->f[VMPB_COL_INSTANCE], seen[i]) &&
          vmpb_status_ran(r->f[VMPB_COL_STATUS]))
        all_unsup = 0;
    }
    nunsup_inst += all_unsup;
  }
  fprintf(f, "## %s\n\n", suite);
  fprintf(f, "%zu instance%s", ninst, ninst == 1 ? "" : "s");
  if (nbest) fprintf(f, ", %zu with a best-known value (%zu proven optimal)", nbest, nproven);
  if (nunsup_inst) fprintf(f, ", %zu unsupported (listed below)", nunsup_inst);
  if (!isnan(tl)) {
    if (mixed_tl)
      fprintf(f, "; time limits differ between runs (see time_limit in results.csv)");
    else
      fprintf(f, "; time limit %g s per run", tl);
  }
  fprintf(f, ".\n\n");
  fprintf(f, "| solver | runs | solved | = best known | proven optimal | mean gap "
          "| max gap | Σ value vs Σ best |%s gap to bound | median time | p95 time "
          "| max peak MiB | failed |\n", any_heur ? " ≤ best heuristic |" : "");
  fprintf(f, "|---|---:|---:|---:|---:|---:|---:|---:|%s---:|---:|---:|---:|---:|\n",
          any_heur ? "---:|" : "");
  for (size_t s = 0; s < ns; s++) {
    vmpb_solver_stats st;
    char g1[32], g2[32], g3[32], gb[32], t1[32], t2[32], pk[32], pr[32], heur[48];
    int ref = !strcmp(solvers[s], VMPB_BEST_HEURISTIC);
    vmpb_suite_stats(t, suite, solvers[s], &st);
    if (!st.runs) continue;
    pct(g1, sizeof g1, st.mean_gap);
    pct(g2, sizeof g2, st.max_gap);
    if (isnan(st.total_vs_best))
      snprintf(g3, sizeof g3, "–");
    else
      snprintf(g3, sizeof g3, "%+.2f%%", 100 * st.total_vs_best);
    pct(gb, sizeof gb, st.mean_gap_bound);
    secs(t1, sizeof t1, st.median_time);
    secs(t2, sizeof t2, st.p95_time);
    num(pk, sizeof pk, st.max_peak, "%.1f");
    snprintf(pr, sizeof pr, "%zu", st.proven);
    if (st.with_heuristic)
      snprintf(heur, sizeof heur, " %zu of %zu |", st.beats_heuristic, st.with_heuristic);
    else
      snprintf(heur, sizeof heur, " – |");
    fprintf(f, "| %s%s%s | %zu | %zu | %zu | %s | %s | %s | %s |%s %s | %s | %s | %s | %zu |\n",
            ref ? "*" : "", solvers[s], ref ? "*" : "", st.runs, st.solved, st.matched,
            ref ? "–" : pr, g1, g2, g3, any_heur ? heur : "", gb,
            ref ? "–" : t1, ref ? "–" : t2, ref ? "–" : pk, st.failed);
    nfail += st.failed;
  }
  fputc('\n', f);
  reassignment_table(f, t, suite, solvers, ns);
  if (any_heur)
    fprintf(f, "*best-heuristic* is the published reference: the best of about "
            "700 greedy heuristics per instance (Mommessin et al.), not a run.\n\n");
  if (nunsup_inst) {
    size_t shown = 0;
    fprintf(f, "Unsupported instances (the reader refuses them; not counted above):\n\n");
    for (size_t i = 0; i < nseen && shown < 5; i++)
      for (size_t k = 0; k < t->n; k++) {
        const vmpb_row *r = &t->rows[k];
        if (strcmp(r->f[VMPB_COL_SUITE], suite) || strcmp(r->f[VMPB_COL_INSTANCE], seen[i]) ||
            vmpb_status_ran(r->f[VMPB_COL_STATUS]))
          continue;
        fprintf(f, "- `%s`: ", seen[i]);
        md_cell(f, r->f[VMPB_COL_NOTE]);
        fputc('\n', f);
        shown++;
        break;
      }
    if (nunsup_inst > shown) fprintf(f, "- ... and %zu more\n", nunsup_inst - shown);
    fputc('\n', f);
  }
  if (nfail) {
    size_t shown = 0;
    fprintf(f, "Failed runs:\n\n");
    for (size_t k = 0; k < t->n && shown < 10; k++) {
      const vmpb_row *r = &t->rows[k];
      if (strcmp(r->f[VMPB_COL_SUITE], suite) || !status_failed(r->f[VMPB_COL_STATUS]))
        continue;
      fprintf(f, "- %s on `%s`: %s", r->f[VMPB_COL_SOLVER], r->f[VMPB_COL_INSTANCE],
              r->f[VMPB_COL_STATUS]);
      if (*r->f[VMPB_COL_NOTE]) {
        fputs(" — ", f);
        md_cell(f, r->f[VMPB_COL_NOTE]);
      }
      fputc('\n', f);
      shown++;
    }
    if (nfail > shown) fprintf(f, "- ... and %zu more (results.csv)\n", nfail - shown);
    fputc('\n', f);
  }
  free(solvers);
  free(seen);
}

static void online_section(FILE *f, const vmpb_table *o) {
  fprintf(f, "## Online placement (--online)\n\n"
          "Arriving VMs placed one at a time through `vmp_place` into a "
          "generated datacenter whose VMs all run on hosts; latency per call.  "
          "Then as many unforeseen VMs (not in the placer's problem) added "
          "and placed through `vmp_placer_add_vm`.\n\n"
          "| datacenter | hosts | VMs | arrivals | placed | setup | median | p99 "
          "| max | unforeseen placed | median | p99 | peak MiB | status |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (size_t k = 0; k < o->n; k++) {
    const vmpb_row *r = &o->rows[k];
    char su[32], md[32], p99[32], mx[32], pk[32], amd[32], ap99[32];
    secs(su, sizeof su, vmpb_row_num(r, VMPB_OCOL_SETUP_S));
    num(md, sizeof md, vmpb_row_num(r, VMPB_OCOL_MEDIAN_US), "%.1f µs");
    num(p99, sizeof p99, vmpb_row_num(r, VMPB_OCOL_P99_US), "%.1f µs");
    num(mx, sizeof mx, vmpb_row_num(r, VMPB_OCOL_MAX_US), "%.1f µs");
    num(pk, sizeof pk, vmpb_row_num(r, VMPB_OCOL_PEAK_MIB), "%.1f");
    num(amd, sizeof amd, vmpb_row_num(r, VMPB_OCOL_ADD_MEDIAN_US), "%.1f µs");
    num(ap99, sizeof ap99, vmpb_row_num(r, VMPB_OCOL_ADD_P99_US), "%.1f µs");
    fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s of %s | %s | %s | %s | ",
            r->f[VMPB_OCOL_SUITE], r->f[VMPB_OCOL_HOSTS], r->f[VMPB_OCOL_VMS],
            r->f[VMPB_OCOL_ARRIVALS], r->f[VMPB_OCOL_PLACED], su, md, p99, mx,
            *r->f[VMPB_OCOL_ADD_PLACED] ? r->f[VMPB_OCOL_ADD_PLACED] : "-",
            *r->f[VMPB_OCOL_ADDED] ? r->f[VMPB_OCOL_ADDED] : "-", amd, ap99, pk);
    md_cell(f, r->f[VMPB_OCOL_STATUS]);
    if (*r->f[VMPB_OCOL_NOTE]) {
      fputs(": ", f);
      md_cell(f, r->f[VMPB_OCOL_NOTE]);
    }
    fputs(" |\n", f);
  }
  fputc('\n', f);
}

int vmpb_report_summary(const char *path, vmpb_table *t,
                        const vmpb_table *online,
                        const char *const *commands, size_t ncommands,
                        char *err) {
  char tmp[4096], **suites = NULL;
  size_t ns;
  FILE *f;
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  if (!(f = fopen(tmp, "w"))) {
    vmpb_errf(err, "%s: %s", tmp, strerror(errno));
    return -1;
  }
  fprintf(f, "# vmplace-bench results\n\n"
          "Every figure below is computed from `results.csv` beside this file, "
          "which these commands produced (a later run keeps the rows already "
          "there; `--force` replaces them):\n\n```\n");
  for (size_t k = 0; k < ncommands; k++) fprintf(f, "%s\n", commands[k]);
  if (!ncommands) fprintf(f, "(no commands recorded)\n");
  fprintf(f, "```\n\n"
          "- *runs*: instances the solver ran on (unsupported instances are "
          "left out); *solved*: every VM placed; *= best known*: value no worse "
          "than the best-known value; *proven optimal*: the solver proved its "
          "value optimal (value = its bound).\n"
          "- *gap* = (value − best known) / best known, over solved runs with a "
          "best-known value; *Σ value vs Σ best*: the summed values over the "
          "summed best-known values of the same runs, minus 1; *gap to bound*: "
          "the mean of (value − bound) / bound, where bound is the highest "
          "lower bound any solver proved on the instance (meaningful where no "
          "best-known value exists).\n"
          "- *time*: wall-clock seconds of the solve (model compilation "
          "included, reading the file excluded; for peers, their process); "
          "*peak MiB*: the run's child process (for peers, the peer's own "
          "process).  The machine may be shared with other work: quote medians.\n"
          "- *failed*: timeout (hard kill), crash (a signal) or error.\n\n"
          "The performance profiles are in `profile.svg`.\n\n");
  ns = vmpb_report_suites(t, &suites);
  for (size_t s = 0; s < ns; s++) suite_section(f, t, suites[s]);
  if (!ns) fprintf(f, "No results yet.\n\n");
  free(suites);
  if (online && online->n) online_section(f, online);
  if (fclose(f) || rename(tmp, path)) {
    vmpb_errf(err, "%s: %s", path, strerror(errno));
    remove(tmp);
    return -1;
  }
  return 0;
}
