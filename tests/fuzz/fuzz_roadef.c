/*
 * libFuzzer target: the ROADEF/EURO 2012 reader, model and initial
 * assignment.  The input is the model text, optionally followed by a line
 * "===" and the assignment text.  Any input gives a problem or a clean
 * error; a problem survives the round trip through problem JSON
 * (fuzz_roundtrip.h).
 */
#include "fuzz_roundtrip.h"

/* The reader behind vmp_problem_read for model_*.txt with its
 * assignment_*.sol (the public parse entry point takes no assignment). */
int vmp__read_roadef(const char *model, size_t model_len, const char *assignment,
                     size_t assignment_len, const char *origin, vmp_problem **out);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data, *sep = NULL;
  vmp_problem *p = NULL;
  for (size_t k = 0; k + 5 <= size && !sep; k++)
    if (!memcmp(text + k, "\n===\n", 5)) sep = text + k;
  if (sep) {
    size_t mlen = (size_t)(sep - text) + 1;
    if (vmp__read_roadef(text, mlen, sep + 5, size - mlen - 4, "fuzz", &p)) return 0;
  } else if (vmp__read_roadef(text, size, NULL, 0, "fuzz", &p)) {
    return 0;
  }
  fz_roundtrip(p);
  vmp_problem_free(p);
  return 0;
}
