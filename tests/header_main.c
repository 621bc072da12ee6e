/* Links every public header's compile check with the library, and checks
 * the version macros against the library. */
#include <vmplace/vmplace.h>

int main(void) {
  return vmp_version_number() == VMP_VERSION_NUMBER ? 0 : 1;
}
