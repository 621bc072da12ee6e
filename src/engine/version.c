/*
 * Version and build features.
 */
#include <string.h>

#include "solvers.h"

unsigned vmp_version_number(void) { return VMP_VERSION_NUMBER; }

const char *vmp_version_string(void) { return VMP_VERSION_STRING; }

int vmp_has_feature(const char *name) {
  static const char *const formats[] = {"format.json", "format.vbp", "format.mvp",
                                        "format.bpplib", "format.cloudbalancing",
                                        "format.roadef", NULL};
  if (!name) return 0;
  if (!strncmp(name, "solver.", 7)) return vmp__solver_find(name + 7) != NULL;
#ifdef VMPLACE_WITH_FORECAST
  if (!strcmp(name, "forecast")) return 1;
#endif
#ifdef VMPLACE_WITH_LIBVIRT
  if (!strcmp(name, "libvirt")) return 1;
#endif
  for (const char *const *f = formats; *f; f++)
    if (!strcmp(*f, name)) return 1;
  return 0;
}
