/*
 * Resource kinds and units from resource names (units.h).
 */
#include <string.h>

#include "units.h"

static double suffix_bytes(const char *name, double fallback) {
  static const struct { const char *suffix; double bytes; } units[] = {
      {"b", 1.0},           {"bytes", 1.0},
      {"kib", 1024.0},      {"mib", 1048576.0},
      {"gib", 1073741824.0}, {"tib", 1099511627776.0},
      {"kb", 1e3},          {"mb", 1e6},
      {"gb", 1e9},          {"tb", 1e12}};
  const char *u = strrchr(name, '_');
  if (!u) return fallback;
  for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
    if (!strcmp(u + 1, units[k].suffix)) return units[k].bytes;
  return fallback;
}

int vmp__res_kind_of(const char *name, double *bytes) {
  int kind = VMP__RES_OTHER;
  double b = 1.0;
  if (!name) name = "";
  if (!strcmp(name, "cpu") || !strcmp(name, "cpus") || !strcmp(name, "vcpu") ||
      !strcmp(name, "vcpus")) {
    kind = VMP__RES_CPU;
  } else if (!strncmp(name, "mem", 3)) {
    kind = VMP__RES_MEMORY;
    b = suffix_bytes(name, 1048576.0);
  } else if (!strncmp(name, "disk", 4)) {
    kind = VMP__RES_DISK;
    b = suffix_bytes(name, 1073741824.0);
  }
  if (bytes) *bytes = b;
  return kind;
}
