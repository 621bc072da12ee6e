/*
 * vmplace — version and build features.
 */
#ifndef VMPLACE_VERSION_H
#define VMPLACE_VERSION_H

#include "common.h"

VMP_BEGIN_DECLS

#define VMP_VERSION_MAJOR 0
#define VMP_VERSION_MINOR 1
#define VMP_VERSION_PATCH 0
#define VMP_VERSION_STRING "0.1.0"
/** MAJOR*10000 + MINOR*100 + PATCH, for compile-time comparisons. */
#define VMP_VERSION_NUMBER \
  (VMP_VERSION_MAJOR * 10000 + VMP_VERSION_MINOR * 100 + VMP_VERSION_PATCH)

/**
 * The version of the library actually linked, as VMP_VERSION_NUMBER.
 * Compare it with the macro to detect a header/library mismatch.
 */
VMP_API unsigned vmp_version_number(void);

/** The version of the linked library as "MAJOR.MINOR.PATCH".  Static. */
VMP_API const char *vmp_version_string(void);

/**
 * Whether this build of the library has an optional capability.
 *
 * Names: "solver.NAME" for every solver ("solver.greedy", "solver.ilp", ...),
 * "libvirt" (the libvirt adapter), "forecast" (demand forecasting),
 * "format.json", "format.vbp", "format.mvp", "format.bpplib",
 * "format.cloudbalancing".
 *
 * @param name  a feature name; NULL or unknown names give 0.
 * @return 1 when the feature is present, 0 otherwise.
 */
VMP_API int vmp_has_feature(const char *name);

VMP_END_DECLS

#endif /* VMPLACE_VERSION_H */
