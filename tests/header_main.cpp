// The public API used from C++: the headers compile with -pedantic -Werror
// and the functions link.
#include <vmplace/vmplace.h>

int main() {
  vmp_solve_opts opts = VMP_SOLVE_OPTS_INIT;
  vmp_problem *p = nullptr;
  if (vmp_problem_new(&p) != VMP_OK) return 1;
  vmp_problem_free(p);
  return (opts.version == VMP_SOLVE_OPTS_VERSION &&
          vmp_version_number() == VMP_VERSION_NUMBER) ? 0 : 1;
}
