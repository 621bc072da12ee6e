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
  if(line MATCHES "^[0-9a-fA-F]+ [TDBRVWtdbr] (.+)$")
    set(sym "${CMAKE_MATCH_1}")
    if(sym MATCHES "^_(init|fini|edata|end|_bss_start)$" OR sym MATCHES "^__bss_start$" OR sym MATCHES "^_edata$" OR sym MATCHES "^_end$")
      continue()
    endif()
    # Section bounds that the linker makes for coverage instrumentation in
    # the fuzz build (local binding; whether they show up depends on the
    # object layout): not API.
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
