/*
 * vmplace-greedy-bench: the scale and online-placement measurements of
 * docs/benchmarks.md, on datacenters from the generator.
 *
 *   vmplace-greedy-bench scale HOSTS VMS [SOLVER [RULES]]
 *       generates a datacenter (seed 1, 1% of VMs in anti-affinity groups
 *       of 3, no rules) and solves it; prints generation time, solve time
 *       split into compile, solver and verification, and peak memory.
 *   vmplace-greedy-bench gen HOSTS VMS FILE
 *       writes the scale datacenter as problem JSON (to time parsing).
 *   vmplace-greedy-bench realistic HOSTS VMS SEED FILE
 *       writes an instance of the realistic family (the vmplace-bench
 *       suite "realistic" is HOSTS x VMS 20x60, 50x200, 100x400 with seeds
 *       1..10) as problem JSON, for `vmplace solve` and other solvers.
 *   vmplace-greedy-bench online HOSTS VMS ARRIVALS [RULE]
 *       generates a running datacenter (every VM on a host), takes the
 *       last ARRIVALS VMs off their hosts, and places them one by one with
 *       vmp_place; prints the latency distribution.
 *
 * Set VMPB_RULES=1 for labels and compliance rules, VMPB_LOAD to change
 * the share of capacity the VMs' demand fills (default 0.6; above 1 some
 * VMs cannot be placed), VMPB_TIME for the solve's time limit (default
 * 600 s).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "generator.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static long peak_mib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static vmp_problem *generate(size_t hosts, size_t vms, int current, double *secs) {
  vmpb_gen_opts o;
  vmp_problem *p = NULL;
  const char *rules = getenv("VMPB_RULES"), *load = getenv("VMPB_LOAD");
  double t0 = now();
  vmpb_gen_opts_init(&o, hosts, vms, 1);
  o.current = current;
  o.rules = rules && rules[0] == '1';
  if (load) o.load = atof(load);
  if (vmpb_generate(&o, &p)) {
    fprintf(stderr, "generate: %s\n", vmp_last_error());
    exit(3);
  }
  *secs = now() - t0;
  return p;
}

static double stat(const vmp_solution *s, const char *name) {
  double v = 0.0;
  vmp_solution_stat(s, name, &v);
  return v;
}

static int scale(size_t hosts, size_t vms, const char *solver, const char *rules) {
  vmp_solve_opts o;
  vmp_params *ps = NULL;
  vmp_solution *s = NULL;
  double gen, t0;
  vmp_problem *p = generate(hosts, vms, 0, &gen);
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  vmp_params_new(&ps);
  if (rules && vmp_params_set(ps, "greedy.rules", rules)) {
    fprintf(stderr, "%s\n", vmp_last_error());
    return 2;
  }
  o.params = ps;
  o.solver = solver;
  o.time_limit = getenv("VMPB_TIME") ? atof(getenv("VMPB_TIME")) : 600;
  t0 = now();
  if (vmp_solve(p, &o, &s)) {
    fprintf(stderr, "solve: %s\n", vmp_last_error());
    return 3;
  }
  printf("%zu hosts, %zu VMs, solver %s: generated in %.3f s; solve %.3f s "
         "(compile %.3f, solver %.3f, verify %.3f); %s, objective %.10g, bound %.10g, "
         "%zu hosts used, %zu unplaced; peak memory %ld MiB\n",
         hosts, vms, solver, gen, now() - t0, stat(s, "compile.seconds"),
         stat(s, "solver.seconds"), stat(s, "verify.seconds"),
         vmp_status_name(vmp_solution_status(s)), vmp_solution_objective(s),
         vmp_solution_bound(s), vmp_solution_hosts_used(s), vmp_solution_num_unplaced(s),
         peak_mib());
  vmp_solution_free(s);
  vmp_params_free(ps);
  vmp_problem_free(p);
  return 0;
}

static int online(size_t hosts, size_t vms, size_t arrivals, const char *rule) {
  vmp_solve_opts o;
  vmp_params *ps = NULL;
  vmp_placer *pl = NULL;
  double gen, t0, *lat;
  size_t failed = 0;
  vmp_problem *p = generate(hosts, vms, 1, &gen);
  if (arrivals > vms) arrivals = vms;
  for (size_t v = vms - arrivals; v < vms; v++) vmp_problem_set_vm_host(p, v, VMP_NONE);
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  vmp_params_new(&ps);
  if (rule && vmp_params_set(ps, "greedy.online_rule", rule)) {
    fprintf(stderr, "%s\n", vmp_last_error());
    return 2;
  }
  o.params = ps;
  t0 = now();
  if (vmp_placer_new(p, &o, &pl)) {
    fprintf(stderr, "placer: %s\n", vmp_last_error());
    return 3;
  }
  printf("placer for %zu hosts, %zu VMs made in %.3f s\n", hosts, vms, now() - t0);
  lat = malloc((arrivals + 1) * sizeof *lat);
  for (size_t k = 0; k < arrivals; k++) {
    size_t h;
    double a = now();
    vmp_place(pl, vms - arrivals + k, &h);
    lat[k] = now() - a;
    failed += h == VMP_NONE;
  }
  qsort(lat, arrivals, sizeof *lat, cmp_double);
  if (arrivals)
    printf("%zu arrivals (rule %s): median %.2f us, p90 %.2f us, p99 %.2f us, max %.1f us; "
           "%zu fit nowhere; peak memory %ld MiB\n",
           arrivals, rule ? rule : "default", lat[arrivals / 2] * 1e6,
           lat[arrivals * 9 / 10] * 1e6, lat[arrivals * 99 / 100] * 1e6,
           lat[arrivals - 1] * 1e6, failed, peak_mib());
  free(lat);
  vmp_placer_free(pl);
  vmp_params_free(ps);
  vmp_problem_free(p);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 5 && !strcmp(argv[1], "gen")) {
    double gen;
    vmp_problem *p = generate((size_t)atol(argv[2]), (size_t)atol(argv[3]), 0, &gen);
    int rc = vmp_problem_write(p, argv[4]);
    if (rc) fprintf(stderr, "%s\n", vmp_last_error());
    vmp_problem_free(p);
    return rc ? 3 : 0;
  }
  if (argc == 6 && !strcmp(argv[1], "realistic")) {
    vmpb_real_opts o;
    vmp_problem *p = NULL;
    int rc;
    vmpb_real_opts_init(&o, (size_t)atol(argv[2]), (size_t)atol(argv[3]),
                        (uint64_t)strtoull(argv[4], NULL, 10));
    rc = vmpb_generate_realistic(&o, &p);
    if (!rc) rc = vmp_problem_write(p, argv[5]);
    if (rc) fprintf(stderr, "vmplace-greedy-bench: %s\n", rc == VMP_EINVAL ? "bad sizes" : vmp_last_error());
    vmp_problem_free(p);
    return rc ? 3 : 0;
  }
  if (argc >= 4 && !strcmp(argv[1], "scale"))
    return scale((size_t)atol(argv[2]), (size_t)atol(argv[3]), argc > 4 ? argv[4] : "greedy",
                 argc > 5 ? argv[5] : NULL);
  if (argc >= 5 && !strcmp(argv[1], "online"))
    return online((size_t)atol(argv[2]), (size_t)atol(argv[3]), (size_t)atol(argv[4]),
                  argc > 5 ? argv[5] : NULL);
  fprintf(stderr,
          "usage: vmplace-greedy-bench scale HOSTS VMS [SOLVER [RULES]]\n"
          "       vmplace-greedy-bench gen HOSTS VMS FILE\n"
          "       vmplace-greedy-bench realistic HOSTS VMS SEED FILE\n"
          "       vmplace-greedy-bench online HOSTS VMS ARRIVALS [RULE]\n");
  return 2;
}
