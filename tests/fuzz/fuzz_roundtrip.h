/*
 * Shared by the reader fuzz targets: a problem any reader accepted must
 * survive the trip through problem JSON unchanged (written, read back,
 * written again: the same text), and a small one must solve, evaluate and
 * print.  A difference is a bug, reported as a crash.
 */
#ifndef VMP_FUZZ_ROUNDTRIP_H
#define VMP_FUZZ_ROUNDTRIP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmplace/vmplace.h"

static void fz_roundtrip(vmp_problem *p) {
  char *a = NULL, *b = NULL;
  vmp_problem *q = NULL;
  vmp_solution *s = NULL;
  /* Readers accept huge counts in a few bytes (".vbp": 10^6 copies); the
   * fuzzer looks for crashes, not for inputs it made large on purpose. */
  if (vmp_problem_num_vms(p) > 5000 || vmp_problem_num_hosts(p) > 5000) return;
  if (vmp_problem_to_json(p, &a)) return; /* out of memory only */
  if (vmp_problem_parse(a, strlen(a), VMP_FORMAT_JSON, "roundtrip", &q)) {
    fprintf(stderr, "problem JSON written by the library does not read back: %s\n%s\n",
            vmp_last_error(), a);
    __builtin_trap();
  }
  if (vmp_problem_to_json(q, &b) == 0 && strcmp(a, b) != 0) {
    fprintf(stderr, "problem JSON changed on the round trip:\n%s\n---\n%s\n", a, b);
    __builtin_trap();
  }
  if (vmp_problem_num_vms(p) * (vmp_problem_num_hosts(p) + 1) < 20000) {
    vmp_solve_opts opts;
    vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
    opts.solver = "greedy";
    opts.time_limit = 1.0;
    if (vmp_solve(q, &opts, &s) == 0) {
      char *t = NULL;
      if (vmp_solution_to_json(s, &t) == 0) vmp_free(t);
    }
  }
  vmp_solution_free(s);
  vmp_problem_free(q);
  vmp_free(a);
  vmp_free(b);
}

/* One reader, by its public format code. */
static int fz_reader(const uint8_t *data, size_t size, int format) {
  vmp_problem *p = NULL;
  if (vmp_problem_parse((const char *)data, size, format, "fuzz", &p)) return 0;
  fz_roundtrip(p);
  vmp_problem_free(p);
  return 0;
}

#endif
