/*
 * libFuzzer target: the problem JSON reader, and on success the whole path
 * behind it (compile, greedy solve, evaluation, explanation, JSON output).
 * Any input must give either a problem or a clean error, never a crash.
 */
#include <stdint.h>
#include <stdlib.h>

#include "vmplace/vmplace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vmp_problem *p = NULL;
  vmp_solution *s = NULL;
  vmp_explanation *e = NULL;
  vmp_solve_opts opts;
  char *text = NULL;
  if (vmp_problem_parse((const char *)data, size, VMP_FORMAT_JSON, "fuzz", &p))
    return 0;
  /* Keep each run small: the fuzzer looks for crashes, not for slow
   * inputs it made large on purpose. */
  if (vmp_problem_num_vms(p) * (vmp_problem_num_hosts(p) + 1) < 20000) {
    vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
    opts.solver = "greedy";
    opts.time_limit = 1.0;
    if (vmp_solve(p, &opts, &s) == 0) {
      vmp_solution_to_json(s, &text);
      vmp_free(text);
      text = NULL;
      if (vmp_problem_num_vms(p) && vmp_explain(p, s, 0, &e) == 0) {
        vmp_explanation_to_text(e, &text);
        vmp_free(text);
        text = NULL;
      }
    }
  }
  if (vmp_problem_to_json(p, &text) == 0) vmp_free(text);
  vmp_explanation_free(e);
  vmp_solution_free(s);
  vmp_problem_free(p);
  return 0;
}
