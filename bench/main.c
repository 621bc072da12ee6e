/*
 * vmplace-bench: the standalone benchmark runner (docs/benchmarks.md).
 * The work is in bench/lib (vmplace_benchlib); this file only hands it the
 * command line and the executable to re-run for each job, so that every
 * run starts as a fresh process whose peak memory is its own.
 */
#include <string.h>

#include "bench.h"

int main(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "--worker"))
    return vmpb_worker_main(argc - 2, argv + 2);
  return vmpb_main(argc, argv, "/proc/self/exe");
}
