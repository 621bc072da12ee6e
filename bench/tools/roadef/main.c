/*
 * vmplace-roadef: the rebalancer's dev harness on ROADEF/EURO 2012 files.
 *
 *   vmplace-roadef MODEL ASSIGNMENT [--time S] [--seed N] [--threads T]
 *                  [--lanes L] [--moves N] [--out SOLUTION] [--best-known CSV]
 *                  [--eval SOLUTION] [--verbose 1]
 *
 * Reads the files through the library (vmp_problem_read_roadef, the
 * compiled model and the `rebalance` solver's conversion to the engine's
 * input: read= in the result line is the time of all three), runs the
 * rebalancer from the initial assignment for S seconds (or N move attempts
 * per lane), verifies the answer with the from-scratch evaluator, writes it in
 * the challenge's format and prints one line of key=value figures.  With
 * --eval it only scores a solution file.  Exit 0 on success, 1 if the
 * answer is infeasible or costlier than the start, 2 on bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "roadef_load.h"

static void log_line(int level, const char *msg, void *ud)
{
  (void)level;
  fprintf(stderr, "%.2f %s\n", vmp__now() - *(double *)ud, msg);
}

static int usage(void)
{
  fprintf(stderr, "usage: vmplace-roadef MODEL ASSIGNMENT [--time S] [--seed N] "
                  "[--threads T] [--lanes L] [--mix 0|1|2] [--moves N] [--out FILE] "
                  "[--best-known CSV] [--eval SOLUTION] [--verbose 1]\n");
  return 2;
}

/* Best known cost of the instance named like the model file's stem. */
static double best_known(const char *csv, const char *model)
{
  const char *base = strrchr(model, '/');
  base = base ? base + 1 : model;
  char stem[256];
  snprintf(stem, sizeof stem, "%s", base);
  char *dot = strrchr(stem, '.');
  if (dot) *dot = 0;
  FILE *f = fopen(csv, "r");
  if (!f) return -1;
  char line[1024];
  double v = -1;
  size_t n = strlen(stem);
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, stem, n) && line[n] == ',') {
      v = strtod(line + n + 1, NULL);
      break;
    }
  fclose(f);
  return v;
}

static void print_cost(const char *what, const vmp__rcost *c)
{
  printf("%s: total=%.0f load=%.0f balance=%.0f pmc=%.0f smc=%.0f mmc=%.0f feasible=%d%s%s\n",
         what, c->total, c->load, c->balance, c->pmc, c->smc, c->mmc, c->feasible,
         c->feasible ? "" : " why=", c->why);
}

int main(int argc, char **argv)
{
  if (argc < 3) return usage();
  const char *model = argv[1], *assign = argv[2], *out = NULL, *csv = NULL, *evalf = NULL;
  vmp__rebalance_opts o = VMP__REBALANCE_OPTS_INIT;
  double tlim = 10;
  int verbose = 0;
  for (int i = 3; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) return usage();
    if (!strcmp(a, "--time")) tlim = atof(v);
    else if (!strcmp(a, "--seed")) o.seed = strtoull(v, NULL, 10);
    else if (!strcmp(a, "--threads")) o.threads = atoi(v);
    else if (!strcmp(a, "--lanes")) o.lanes = atoi(v);
    else if (!strcmp(a, "--mix")) o.mix = atoi(v);
    else if (!strcmp(a, "--moves")) o.max_moves = atoll(v);
    else if (!strcmp(a, "--out")) out = v;
    else if (!strcmp(a, "--best-known")) csv = v;
    else if (!strcmp(a, "--eval")) evalf = v;
    else if (!strcmp(a, "--verbose")) { verbose = atoi(v); }
    else return usage();
    i++;
  }
  double t0 = vmp__now();
  roadef rd;
  int rc = roadef_load(&rd, model, assign);
  if (rc) {
    fprintf(stderr, "vmplace-roadef: %s\n", vmp_last_error());
    return 2;
  }
  double tread = vmp__now() - t0;
  if ((rc = vmp__rmodel_check(&rd.m))) {
    fprintf(stderr, "vmplace-roadef: %s: %s\n", model, vmp_last_error());
    roadef_free(&rd);
    return 2;
  }
  vmp__rcost c0, c1;
  vmp__rmodel_eval(&rd.m, rd.init, &c0);
  int *a = malloc(((size_t)rd.m.nv + 1) * sizeof *a);
  if (!a) return 2;
  if (evalf) {
    if ((rc = roadef_read_solution(&rd, evalf, a))) {
      fprintf(stderr, "vmplace-roadef: %s\n", vmp_last_error());
      return 2;
    }
    if (vmp__rmodel_eval(&rd.m, a, &c1)) {
      fprintf(stderr, "vmplace-roadef: %s: %s\n", evalf, vmp_last_error());
      return 2;
    }
    print_cost("initial", &c0);
    print_cost("solution", &c1);
    free(a);
    roadef_free(&rd);
    return c1.feasible ? 0 : 1;
  }
  o.deadline = tlim > 0 ? t0 + tlim : 0;
  if (verbose) {
    o.log = log_line;
    o.log_userdata = &t0;
  }
  double obj, bound;
  vmp__rebalance_stats st;
  rc = vmp__rebalance_run(&rd.m, rd.init, &o, a, &obj, &bound, &st);
  double secs = vmp__now() - t0;
  if (rc) {
    fprintf(stderr, "vmplace-roadef: %s: %s\n", model, vmp_last_error());
    return 2;
  }
  vmp__rmodel_eval(&rd.m, a, &c1);
  print_cost("initial", &c0);
  print_cost("final", &c1);
  double best = csv ? best_known(csv, model) : -1;
  printf("result: cost=%.0f initial=%.0f best=%.0f gap=%.4f%% ratio=%.5f bound=%.0f "
         "time=%.2f read=%.2f feasible=%d engine_obj_match=%d attempts=%lld accepted=%lld "
         "epochs=%d\n",
         c1.total, c0.total, best, best > 0 ? 100.0 * (c1.total - best) / c0.total : -1.0,
         best > 0 ? c1.total / best : -1.0, bound, secs, tread, c1.feasible,
         c1.total == obj, (long long)st.attempts, (long long)st.accepted, st.epochs);
  if (out && roadef_write_solution(&rd, out, a)) {
    fprintf(stderr, "vmplace-roadef: %s\n", vmp_last_error());
    return 2;
  }
  int ok = c1.feasible && c1.total <= c0.total && c1.total == obj;
  free(a);
  roadef_free(&rd);
  return ok ? 0 : 1;
}
