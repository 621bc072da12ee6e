/*
 * The rule language of `when` and `require` (docs/formats.md): parser,
 * evaluator, operand references and explanations.
 *
 * Grammar (precedence from low to high):
 *   expr    := or
 *   or      := and ( "||" and )*
 *   and     := not ( "&&" not )*
 *   not     := "!" not | primary
 *   primary := "(" expr ")" | "true" | "false" | comparison
 *   comparison := operand ( cmpop operand | "in" "[" value ("," value)* "]" )
 *   cmpop   := "==" | "!=" | "<" | "<=" | ">" | ">="
 *   operand := "vm.labels." KEY | "vm.labels[" STRING "]" | "vm.demand." RES
 *            | "vm.name" | "vm.priority"
 *            | "host.labels." KEY | "host.labels[" STRING "]"
 *            | "host.capacity." RES | "host.name" | "host.cost"
 *            | value
 *   value   := STRING | NUMBER
 *
 * Semantics: a missing label is "absent"; any comparison with an absent
 * operand is false except "!=" which is true.  A label compared with a
 * number is read as a number (false when it is not one).  Strings order
 * bytewise.  host.capacity.R is the raw capacity written in the problem.
 */
#ifndef VMP_RULE_H
#define VMP_RULE_H

#include "problem_impl.h"

/* Parses text.  With p non-NULL, label keys are interned in p's pool and
 * resource names are resolved (unknown ones fail with VMP_ENOTFOUND); with
 * p NULL only the syntax is checked and *out may be NULL.
 * On failure *out is NULL, *column (if non-NULL) is the 1-based column of
 * the error and the detail message reads "column 14: expected ...". */
int vmp__expr_parse(vmp_problem *p, const char *text, vmp__expr **out,
                    size_t *column);
void vmp__expr_free(vmp__expr *e);
/* Deep copy whose key ids stay valid in a clone of the same problem. */
int vmp__expr_clone(const vmp__expr *e, vmp__expr **out);

/* 1 when e holds for VM vm on host host, else 0.  host may be VMP__NO_HOST
 * (and vm UINT32_MAX) when e does not refer to that side; an operand of a
 * missing side is absent. */
int vmp__expr_eval(const vmp__expr *e, const vmp_problem *p, uint32_t vm,
                   uint32_t host);

/* The operands an expression reads, so that compile.c can group VMs (and
 * hosts) that no rule can tell apart and evaluate each rule once per pair
 * of groups. */
typedef struct vmp__refs {
  int vm_name, vm_priority;
  int host_name, host_cost;
  uint64_t vm_demand;       /* bit r: vm.demand.<resource r> */
  uint64_t host_capacity;   /* bit r: host.capacity.<resource r> */
  uint32_t *vm_keys;        /* label key ids, unique */
  size_t n_vm_keys, cap_vm_keys;
  uint32_t *host_keys;
  size_t n_host_keys, cap_host_keys;
} vmp__refs;

void vmp__refs_init(vmp__refs *r);
void vmp__refs_free(vmp__refs *r);
/* Adds e's operands to r.  0 or VMP_ENOMEM. */
int vmp__expr_refs(const vmp__expr *e, vmp__refs *r);
/* 1 when e reads any vm.* operand / host.* operand. */
int vmp__expr_uses_vm(const vmp__expr *e);
int vmp__expr_uses_host(const vmp__expr *e);

/* Appends to buf why e is false for (vm, host), naming the operand values
 * of the comparisons that decide it, e.g.
 *   host.labels.zone is "a"
 *   host.labels.zone is absent
 *   vm.demand.cpu is 8, host.capacity.cpu is 4
 * Several facts are joined with ", ". */
void vmp__expr_explain(const vmp__expr *e, const vmp_problem *p, uint32_t vm,
                       uint32_t host, vmp__buf *buf);

#endif /* VMP_RULE_H */
