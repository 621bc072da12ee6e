/*
 * vmplace — the rule language of `when` and `require` (docs/formats.md).
 *
 * Rules are added to a problem with vmp_problem_add_rule; this header only
 * offers a syntax check, for editors and front ends that want to validate an
 * expression before building a problem.
 */
#ifndef VMPLACE_RULES_H
#define VMPLACE_RULES_H

#include "common.h"

VMP_BEGIN_DECLS

/**
 * Checks the syntax of a rule expression.
 *
 * @param expr    the expression, e.g. "vm.labels.pci == \"true\"".
 * @param column  receives the 1-based column of the first error (0 when the
 *                expression is valid); may be NULL.
 * @return VMP_OK or VMP_EPARSE (vmp_last_error says what is expected at the
 *         column), VMP_EINVAL (expr is NULL).
 */
VMP_API int vmp_rule_check(const char *expr, size_t *column);

VMP_END_DECLS

#endif /* VMPLACE_RULES_H */
