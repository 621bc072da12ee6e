/*
 * Versioned option structs: the one version check and the one copy
 * (src/util/opts.h).
 */
#include "opts.h"

#include <string.h>

#include "internal.h"

int vmp__opts_check_version(const vmp__opts_abi *abi, uint32_t version) {
  if (version >= 1 && version <= abi->latest) return 0;
  return vmp__error(VMP_EINVAL,
                    "%s: version %u is unknown; this library knows versions 1..%u "
                    "(initialise with %s)",
                    abi->what, (unsigned)version, (unsigned)abi->latest, abi->init);
}

int vmp__opts_init(const vmp__opts_abi *abi, void *opts, uint32_t version) {
  int rc;
  if (!opts) return vmp__error(VMP_EINVAL, "%s: %s got NULL", abi->what, abi->init);
  if ((rc = vmp__opts_check_version(abi, version))) return rc;
  memcpy(opts, abi->defaults, abi->size[version - 1]);
  memcpy(opts, &version, sizeof version);
  return 0;
}

int vmp__opts_load(const vmp__opts_abi *abi, void *dst, const void *src) {
  uint32_t version;
  int rc;
  memcpy(dst, abi->defaults, abi->size[abi->latest - 1]);
  if (!src) return 0;
  memcpy(&version, src, sizeof version);
  if ((rc = vmp__opts_check_version(abi, version))) return rc;
  memcpy(dst, src, abi->size[version - 1]);
  memcpy(dst, &abi->latest, sizeof abi->latest);
  return 0;
}
