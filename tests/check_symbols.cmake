# Fails unless every dynamic symbol the shared library defines starts with
# vmp_ (and none with vmp__, the internal prefix).
execute_process(COMMAND nm -D --defined-only ${LIB}
                OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm failed on ${LIB}")
endif()
string(REPLACE "\n" ";" lines "${out}")
set(count 0)
foreach(line ${lines})
  # Upper case: global or weak definitions, what other modules can bind to.
  # Lower case t/d/b/r are local: GNU ld may list a few in .dynsym (the
  # __start_/__stop_ symbols of the fuzzer's coverage sections, once the
  # library is large enough), but nothing can link against them.
  if(line MATCHES "^[0-9a-fA-F]+ [TDBRVW] (.+)$")
    set(sym "${CMAKE_MATCH_1}")
    # Linker-made markers: section bounds (the sanitizer coverage of a
    # fuzzing build adds __start___sancov_*), _end, _edata, ...
    if(sym MATCHES "^(_init|_fini|_edata|_end|__bss_start)$" OR
       sym MATCHES "^__(start|stop)_")
      continue()
    endif()
    # Section bounds that the linker makes for coverage instrumentation in
    # the fuzz build (local binding; whether they show up depends on the
    # object layout): not API.
    if(sym MATCHES "^__(start|stop)___sancov_")
      continue()
    endif()
    # Section bounds the linker defines for sanitizer coverage
    # (__start___sancov_cntrs, ...) in the instrumented build.
    if(sym MATCHES "^__(start|stop)___sancov_")
      continue()
    endif()
    # The linker's bounds of the coverage sections of a fuzzing build
    # (-fsanitize=fuzzer-no-link); not part of any API.
    if(sym MATCHES "^__(start|stop)___sancov_")
      continue()
    endif()
    if(NOT sym MATCHES "^vmp_" OR sym MATCHES "^vmp__")
      message(FATAL_ERROR "unexpected exported symbol: ${sym}")
    endif()
    math(EXPR count "${count} + 1")
  endif()
endforeach()
if(count LESS 50)
  message(FATAL_ERROR "only ${count} vmp_ symbols exported; expected the whole API")
endif()
message(STATUS "${count} exported symbols, all vmp_*")
