/*
 * libFuzzer target: the VPSolver .mvp reader (docs/formats.md).  Any input gives a
 * problem or a clean error; a problem survives the round trip through
 * problem JSON (fuzz_roundtrip.h).
 */
#include "fuzz_roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fz_reader(data, size, VMP_FORMAT_MVP);
}
