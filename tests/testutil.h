/* Helpers shared by the cmocka tests. */
#ifndef VMP_TESTUTIL_H
#define VMP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmplace/vmplace.h"

/* Path of a file in tests/data (static buffer per call site is not
 * thread-safe; tests are single-threaded here). */
const char *tu_data(const char *name);
/* Path of a file in examples/. */
const char *tu_example(const char *name);
/* Builds a problem from a JSON text, failing the test on error. */
vmp_problem *tu_problem_json(const char *json);
/* Solves with a solver name and seed, failing the test on error. */
vmp_solution *tu_solve(const vmp_problem *p, const char *solver,
                       double time_limit);
/* Asserts that rc is the expected error and that the detail message
 * contains `needle`. */
void tu_assert_error(int rc, int expected, const char *needle);

#endif
