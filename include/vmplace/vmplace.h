/*
 * vmplace — decides where virtual machines should run, and makes it so.
 *
 * The umbrella header: include this one.  See docs/ for the manual and
 * README.md for a first example.
 *
 * Conventions (docs/architecture.md):
 *  - fallible calls return 0 or a negative VMP_E* code; vmp_last_error()
 *    gives the per-thread detail;
 *  - `**out` parameters transfer ownership to the caller and are set to NULL
 *    on failure; every *_free function accepts NULL;
 *  - the library never prints, never aborts and keeps no mutable global
 *    state.
 */
#ifndef VMPLACE_H
#define VMPLACE_H

#include "common.h"
#include "errors.h"
#include "vmplace/version.h" /* generated: include/vmplace/version.h.in */
#include "problem.h"
#include "reassign.h"
#include "solution.h"
#include "explain.h"
#include "solve.h"
#include "place.h"
#include "rules.h"
#include "history.h"
#include "forecast.h"
#include "utilization.h"
#include "plan.h"
#include "virt.h"
#include "entitlements.h"
#include "values.h"

#endif /* VMPLACE_H */
