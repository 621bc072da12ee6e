/*
 * Internal helpers for the rebalancing parts of a problem (reassign.c):
 * the compact host-to-host move-cost builder used by readers, and the
 * pieces problem.c calls for clone.
 */
#ifndef VMP_REASSIGN_IMPL_H
#define VMP_REASSIGN_IMPL_H

#include "problem_impl.h"

/* Builds the compact host move costs from full rows, one row per host in
 * host order, without holding the full matrix: only distinct rows are
 * kept (a 5,000 x 5,000 matrix of a few hundred distinct rows costs a few
 * MB while it is read).  finish installs the classes into p. */
typedef struct vmp__hmc_builder vmp__hmc_builder;
int vmp__hmc_builder_new(size_t nhosts, vmp__hmc_builder **out);
void vmp__hmc_builder_free(vmp__hmc_builder *b);
/* Adds the next row (nhosts costs >= 0).  VMP_ERANGE names row and
 * column. */
int vmp__hmc_builder_row(vmp__hmc_builder *b, const double *row);
int vmp__hmc_builder_finish(vmp__hmc_builder *b, vmp_problem *p);

/* Takes ownership of cls ([nhosts]) and cost ([n * n]). */
void vmp__hmc_install(vmp_problem *p, uint32_t *cls, uint32_t nclasses,
                      double *cost);

/* Copies the rebalancing parts of p into q, which has p's resources,
 * hosts, VMs and groups already.  0 or a negative code. */
int vmp__reassign_clone(const vmp_problem *p, vmp_problem *q);

/* vmp_problem_add_dependency for a reader that knows the dependency is not
 * there yet (it does not search for an equal one). */
int vmp__reassign_add_distinct_dependency(vmp_problem *p, size_t group,
                                          size_t on, const char *scope);

/* 1 when some host has a safety capacity below its effective capacity
 * given (any safety setting at all). */
int vmp__has_safety(const vmp_problem *p);

#endif /* VMP_REASSIGN_IMPL_H */
