/* The README's first example: two hosts, two VMs, solve, print. */
#include <stdio.h>

#include <vmplace/vmplace.h>

int main(void) {
  vmp_problem *p = NULL;
  vmp_solution *s = NULL;
  double big[] = {32, 262144}, vm[] = {4, 16384};
  vmp_solve_opts opts = VMP_SOLVE_OPTS_INIT; /* solver "auto", 10 s */

  vmp_problem_new(&p);
  vmp_problem_add_resource(p, "cpu", NULL);
  vmp_problem_add_resource(p, "memory_mib", NULL);
  vmp_problem_add_host(p, "h1", big, NULL);
  vmp_problem_add_host(p, "h2", big, NULL);
  vmp_problem_add_vm(p, "web-1", vm, NULL);
  vmp_problem_add_vm(p, "web-2", vm, NULL);

  if (vmp_solve(p, &opts, &s) != VMP_OK) {
    fprintf(stderr, "%s\n", vmp_last_error());
    vmp_problem_free(p);
    return 1;
  }
  printf("%s: %zu host(s), bound %g\n", vmp_status_name(vmp_solution_status(s)),
         vmp_solution_hosts_used(s), vmp_solution_bound(s));
  for (size_t v = 0; v < vmp_solution_num_vms(s); v++)
    printf("%s -> %s\n", vmp_solution_vm_name(s, v), vmp_solution_vm_host_name(s, v));
  vmp_solution_free(s);
  vmp_problem_free(p);
  return 0;
}
