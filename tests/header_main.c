/* Links every public header's compile check with the library, and checks
 * the version macros against the library.  The deprecated one-argument
 * vmp_solve_opts_init(&opts) of 0.1 still compiles (C99, -pedantic) and
 * means the call with VMP_SOLVE_OPTS_VERSION. */
#include <vmplace/vmplace.h>

int main(void) {
  vmp_solve_opts one_arg, two_args;
  if (vmp_solve_opts_init(&one_arg) != VMP_OK ||
      vmp_solve_opts_init(&two_args, VMP_SOLVE_OPTS_VERSION) != VMP_OK)
    return 1;
  if (one_arg.version != two_args.version ||
      one_arg.time_limit != two_args.time_limit)
    return 1;
  return vmp_version_number() == VMP_VERSION_NUMBER ? 0 : 1;
}
