/*
 * Undoing needless moves: the minimal-disruption tie-break of every solve
 * (docs/solvers.md, "Minimal disruption") and of vmp_solution_prune_moves.
 */
#ifndef VMP_DISRUPTION_H
#define VMP_DISRUPTION_H

#include "model.h"

/* With relabel, first gives the VMs of each host of vh to the host of its
 * class (interchangeable hosts) where most of them run now.  Then moves VMs
 * of the valid placement vh (one host index per VM of p, or VMP__NO_HOST)
 * back to their current host while it stays valid and its
 * objective does not grow (singles, then swaps), until the deadline
 * (vmp__now() seconds; HUGE_VAL: none); then, with max_moves != VMP_NONE,
 * undoes the cheapest remaining moves until at most max_moves VMs move;
 * finally keeps no move at all unless the moves together gain something.
 * VMP_OK; VMP_ERANGE (max_moves cannot be honoured); VMP_EINTERNAL;
 * VMP_ENOMEM. */
int vmp__disruption_prune(const vmp_problem *p, const vmp__model *m, uint32_t *vh,
                         size_t max_moves, double deadline, int relabel);

#endif /* VMP_DISRUPTION_H */
