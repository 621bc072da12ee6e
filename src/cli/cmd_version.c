/*
 * vmplace version — the library version and what this build can do.
 */
#include <string.h>

#include "cli.h"

int cmd_version(int argc, char **argv) {
  static const char *const features[] = {"libvirt", "forecast", NULL};
  if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
    printf("usage: vmplace version\n\nPrints the version, the solvers and the "
           "optional features of this build.\n");
    return EXIT_OK;
  }
  if (argc > 1) {
    cli_error("version: unexpected argument '%s'", argv[1]);
    return EXIT_USAGE;
  }
  printf("vmplace %s\n", vmp_version_string());
  printf("solvers:");
  for (size_t k = 0; k < vmp_num_solvers(); k++) printf(" %s", vmp_solver_name(k));
  printf("\nfeatures:");
  for (const char *const *f = features; *f; f++)
    if (vmp_has_feature(*f)) printf(" %s", *f);
  printf("\nformats: json vbp mvp bpplib cloudbalancing roadef\n");
  return EXIT_OK;
}
