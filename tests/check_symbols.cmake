# The shared library exports exactly the public API: every dynamic symbol
# it defines starts with vmp_ (none with vmp__, the internal prefix), and
# the exported functions are the VMP_API declarations of the public headers
# (HEADERS: include/vmplace), no more and no fewer.  Every build exports
# every function (builds without libvirt or OpenBLAS have stubs), and the
# deprecated names of the headers are macros, so none of them may be
# exported.
execute_process(COMMAND nm -D --defined-only ${LIB}
                OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm failed on ${LIB}")
endif()
string(REPLACE "\n" ";" lines "${out}")
set(exported "")
foreach(line ${lines})
  # Upper case: global or weak definitions, what other modules can bind to.
  # Lower case t/d/b/r are local: GNU ld may list a few in .dynsym, but
  # nothing can link against them.
  if(line MATCHES "^[0-9a-fA-F]+ [TDBRVW] (.+)$")
    set(sym "${CMAKE_MATCH_1}")
    # Linker-made markers: _end, _edata, ..., and section bounds such as
    # the __start___sancov_* of a fuzzing build's coverage sections.
    if(sym MATCHES "^(_init|_fini|_edata|_end|__bss_start)$" OR
       sym MATCHES "^__(start|stop)_")
      continue()
    endif()
    if(NOT sym MATCHES "^vmp_" OR sym MATCHES "^vmp__")
      message(FATAL_ERROR "unexpected exported symbol: ${sym}")
    endif()
    list(APPEND exported ${sym})
  endif()
endforeach()

file(GLOB headers ${HEADERS}/*.h ${HEADERS}/*.h.in)
set(declared "")
foreach(h ${headers})
  file(READ ${h} text)
  string(REGEX MATCHALL "VMP_API[^;(]*[ *](vmp_[a-z0-9_]+)[ \t\n]*\\(" decls "${text}")
  foreach(d ${decls})
    string(REGEX REPLACE ".*[ *](vmp_[a-z0-9_]+)[ \t\n]*\\($" "\\1" name "${d}")
    list(APPEND declared ${name})
  endforeach()
endforeach()

set(missing ${declared})
list(REMOVE_ITEM missing ${exported})
set(extra ${exported})
list(REMOVE_ITEM extra ${declared})
if(missing)
  message(FATAL_ERROR "declared in ${HEADERS} but not exported: ${missing}")
endif()
if(extra)
  message(FATAL_ERROR "exported but declared in no public header: ${extra}")
endif()
list(LENGTH exported count)
if(count LESS 50)
  message(FATAL_ERROR "only ${count} vmp_ symbols exported; expected the whole API")
endif()
message(STATUS "${count} exported symbols, all vmp_*, each declared in a public header")
