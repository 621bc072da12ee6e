/*
 * libFuzzer target: the solution JSON reader (vmp_solution_parse) against
 * a small fixed problem with groups, rules, pins and current hosts.  Any
 * input gives an evaluated placement or a clean error; a solution the
 * library wrote reads back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmplace/vmplace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char problem_json[] =
    "{\"version\": 1, \"resources\": [\"cpu\", \"memory\"],"
    " \"hosts\": [{\"name\": \"h1\", \"capacity\": {\"cpu\": 8, \"memory\": 16},"
    "              \"labels\": {\"zone\": \"a\"}},"
    "            {\"name\": \"h2\", \"capacity\": {\"cpu\": 8, \"memory\": 16},"
    "              \"labels\": {\"zone\": \"b\"}, \"cost\": 2},"
    "            {\"name\": \"h3\", \"capacity\": {\"cpu\": 4, \"memory\": 8},"
    "              \"maintenance\": true}],"
    " \"vms\": [{\"name\": \"a\", \"demand\": {\"cpu\": 2, \"memory\": 4}, \"host\": \"h3\"},"
    "          {\"name\": \"b\", \"demand\": {\"cpu\": 4, \"memory\": 4}, \"host\": \"h1\","
    "           \"pinned\": true},"
    "          {\"name\": \"c\", \"demand\": {\"cpu\": 4, \"memory\": 8},"
    "           \"labels\": {\"app\": \"db\"}},"
    "          {\"name\": \"d\", \"demand\": {\"cpu\": 1, \"memory\": 1}}],"
    " \"groups\": [{\"name\": \"g\", \"policy\": \"anti-affinity\", \"vms\": [\"a\", \"b\"]},"
    "             {\"name\": \"s\", \"policy\": \"affinity\", \"hard\": false,"
    "              \"vms\": [\"c\", \"d\"], \"scope\": \"zone\"}],"
    " \"rules\": [{\"name\": \"db\", \"when\": \"vm.labels.app == \\\"db\\\"\","
    "             \"require\": \"host.labels.zone == \\\"b\\\"\", \"hard\": false}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static vmp_problem *p;
  vmp_solution *s = NULL, *t = NULL;
  char *text = NULL;
  if (!p && vmp_problem_parse(problem_json, sizeof problem_json - 1, VMP_FORMAT_JSON,
                              "fuzz problem", &p)) {
    fprintf(stderr, "fuzz_solution: %s\n", vmp_last_error());
    __builtin_trap();
  }
  if (vmp_solution_parse(p, (const char *)data, size, "fuzz", &s)) return 0;
  if (vmp_solution_to_json(s, &text) == 0) {
    if (vmp_solution_parse(p, text, strlen(text), "roundtrip", &t)) {
      fprintf(stderr, "solution JSON written by the library does not read back: %s\n%s\n",
              vmp_last_error(), text);
      __builtin_trap();
    }
    if (vmp_solution_num_unplaced(t) != vmp_solution_num_unplaced(s) ||
        vmp_solution_status(t) != vmp_solution_status(s)) {
      fprintf(stderr, "solution changed on the round trip:\n%s\n", text);
      __builtin_trap();
    }
  }
  vmp_free(text);
  vmp_solution_free(t);
  vmp_solution_free(s);
  return 0;
}
