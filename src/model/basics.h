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
} vmp__weights;

#endif /* VMP_BASICS_H */
