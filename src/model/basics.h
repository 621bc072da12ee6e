/*
 * What the problem (problem_impl.h), the compiled model (model.h) and the
 * evaluator (evaluate.h) share: objective weights and "no host".
 */
#ifndef VMP_BASICS_H
#define VMP_BASICS_H

#include <stdint.h>

/* A VM's host when it has none. */
#define VMP__NO_HOST UINT32_MAX

/* Objective weights; `unplaced` < 0 means automatic. */
typedef struct vmp__weights {
  double cost;
  double migrations;
  double balance;
  double soft;
  double unplaced;
  /* rebalancing terms (docs/rebalancing.md) */
  double safety;        /* "safety" */
  double ratio;         /* "ratio_balance" */
  double group_moves;
  double host_moves;
} vmp__weights;

/* A ratio balance term: weight x sum over hosts of max(0, target x
 * free(r1) - free(r2)). */
typedef struct vmp__ratio_term {
  uint32_t r1, r2;
  double target, weight;
} vmp__ratio_term;

/* A host without a host move-cost class (moves to or from it cost 0). */
#define VMP__NO_CLASS UINT32_MAX

#endif /* VMP_BASICS_H */
