/*
 * vmplace — explanations: per host, why a VM can or cannot go there, with
 * the failing constraints and their numbers.
 */
#ifndef VMPLACE_EXPLAIN_H
#define VMPLACE_EXPLAIN_H

#include "common.h"
#include "problem.h"
#include "solution.h"

VMP_BEGIN_DECLS

/** Opaque explanation of where one VM can and cannot go. */
typedef struct vmp_explanation vmp_explanation;

/**
 * Explains, host by host, whether VM v fits given the rest of a placement,
 * and with the exact failing constraints and numbers where it does not
 * ("memory_mib: needs 8192, free 4096 of 262144", "anti-affinity web: web-2
 * already on h03", "rule pci: host.labels.zone is \"a\"").  The VM itself is
 * taken off its host first, so its own load never blocks it.
 *
 * @param p    the problem.
 * @param s    the placement of the other VMs; NULL means the problem's
 *             current placement.
 * @param v    the VM to explain.
 * @param out  receives the explanation (caller owns).
 * @return VMP_OK, VMP_EINVAL (v out of range, or s from another problem),
 *         VMP_ENOMEM.
 */
VMP_API int vmp_explain(const vmp_problem *p, const vmp_solution *s,
                        size_t v, vmp_explanation **out);
/** Frees an explanation.  Accepts NULL. */
VMP_API void vmp_explanation_free(vmp_explanation *e);
/** Number of hosts explained (every host of the problem). */
VMP_API size_t vmp_explanation_num_hosts(const vmp_explanation *e);
/** Name of the k-th host.  Borrowed. */
VMP_API const char *vmp_explanation_host(const vmp_explanation *e, size_t k);
/** 1 when the VM fits on the k-th host. */
VMP_API int vmp_explanation_fits(const vmp_explanation *e, size_t k);
/** Number of failing constraints on the k-th host. */
VMP_API size_t vmp_explanation_num_reasons(const vmp_explanation *e,
                                           size_t k);
/** The j-th failing constraint on the k-th host: its key ("memory_mib",
 * "anti-affinity web", "rule pci", "maintenance", ...) and the sentence.
 * @return VMP_OK or VMP_EINVAL. */
VMP_API int vmp_explanation_reason_at(const vmp_explanation *e, size_t k,
                                      size_t j, const char **key,
                                      const char **message);
/** Number of distinct constraint keys, for the per-constraint counts. */
VMP_API size_t vmp_explanation_num_counts(const vmp_explanation *e);
/** The j-th constraint key and how many hosts it excludes (most first).
 * @return VMP_OK or VMP_EINVAL. */
VMP_API int vmp_explanation_count_at(const vmp_explanation *e, size_t j,
                                     const char **key, size_t *hosts);
/** The whole explanation as JSON (caller owns; vmp_free). */
VMP_API int vmp_explanation_to_json(const vmp_explanation *e, char **out);
/** The whole explanation as readable text (caller owns; vmp_free). */
VMP_API int vmp_explanation_to_text(const vmp_explanation *e, char **out);

/* ---- names of 0.1, deprecated: they go in 0.3 -------------------------------
 * Define VMP_NO_DEPRECATED to check that a program uses none of them. */
#ifndef VMP_NO_DEPRECATED
#  define vmp_explanation_reason vmp_explanation_reason_at
#  define vmp_explanation_count vmp_explanation_count_at
#endif /* VMP_NO_DEPRECATED */

VMP_END_DECLS

#endif /* VMPLACE_EXPLAIN_H */
