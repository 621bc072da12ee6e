/*
 * vmplace version — the library version and what this build can do.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int version_json(const char *const *features) {
  json_t *root = json_object(), *a;
  char *text;
  json_object_set_new(root, "version", json_string(vmp_version_string()));
  a = json_array();
  for (size_t k = 0; k < vmp_num_solvers(); k++)
    json_array_append_new(a, json_string(vmp_solver_name(k)));
  json_object_set_new(root, "solvers", a);
  a = json_array();
  for (const char *const *f = features; *f; f++)
    if (vmp_has_feature(*f)) json_array_append_new(a, json_string(*f));
  json_object_set_new(root, "features", a);
  json_object_set_new(root, "formats", json_pack("[s,s,s,s,s,s]", "json", "vbp", "mvp",
                                                 "bpplib", "cloudbalancing", "roadef"));
  text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  if (!text) return cli_fail(VMP_ENOMEM);
  puts(text);
  free(text);
  return EXIT_OK;
}

int cmd_version(int argc, char **argv) {
  static const char *const features[] = {"libvirt", "forecast", NULL};
  int json = 0;
  if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
    printf("usage: vmplace version [--json]\n\nPrints the version, the solvers and the "
           "optional features of this build.\n\noptions:\n"
           "      --json    print them as one JSON document\n"
           "  -h, --help    this help\n");
    return EXIT_OK;
  }
  if (argc == 2 && !strcmp(argv[1], "--json")) json = 1;
  else if (argc > 1) {
    cli_error("version: unexpected argument '%s'", argv[1]);
    return cli_hint();
  }
  if (json) return version_json(features);
  printf("vmplace %s\n", vmp_version_string());
  printf("solvers:");
  for (size_t k = 0; k < vmp_num_solvers(); k++) printf(" %s", vmp_solver_name(k));
  printf("\nfeatures:");
  for (const char *const *f = features; *f; f++)
    if (vmp_has_feature(*f)) printf(" %s", *f);
  printf("\nformats: json vbp mvp bpplib cloudbalancing roadef\n");
  return EXIT_OK;
}
