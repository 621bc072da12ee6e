// The public API used from C++: the headers compile with -pedantic -Werror
// and the functions link; the deprecated one-argument
// vmp_solve_opts_init(&opts) of 0.1 still compiles and means the call with
// VMP_SOLVE_OPTS_VERSION.
#include <vmplace/vmplace.h>

int main() {
  vmp_solve_opts opts = VMP_SOLVE_OPTS_INIT;
  vmp_solve_opts one_arg;
  vmp_problem *p = nullptr;
  if (vmp_problem_new(&p) != VMP_OK) return 1;
  vmp_problem_free(p);
  if (vmp_solve_opts_init(&one_arg) != VMP_OK ||
      one_arg.version != opts.version || one_arg.time_limit != opts.time_limit)
    return 1;
  return (opts.version == VMP_SOLVE_OPTS_VERSION &&
          vmp_version_number() == VMP_VERSION_NUMBER) ? 0 : 1;
}
