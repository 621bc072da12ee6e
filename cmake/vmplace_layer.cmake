# vmplace_layer(NAME SOURCES file... [BELOW layer...])
#
# One layer of the library (docs/architecture.md): an OBJECT library
# vmplace_<NAME> built from the listed sources of the calling folder.  Its
# PRIVATE include path is its own folder, the public headers (include/ and
# the generated version.h) and the folders of the
# layers named in BELOW, and nothing else, so that an #include of a header
# from a layer above (or beside) it does not compile.  The top
# CMakeLists.txt assembles libvmplace from the layers' objects.
#
# VMPLACE_LAYER_DIR_<name> (set in the top CMakeLists.txt) is each layer's
# folder.
function(vmplace_layer name)
  cmake_parse_arguments(L "" "" "SOURCES;BELOW" ${ARGN})
  if(NOT L_SOURCES)
    message(FATAL_ERROR "vmplace_layer(${name}): no SOURCES")
  endif()
  set(dirs ${CMAKE_CURRENT_SOURCE_DIR})
  foreach(below ${L_BELOW})
    if(NOT DEFINED VMPLACE_LAYER_DIR_${below})
      message(FATAL_ERROR "vmplace_layer(${name}): unknown layer ${below}")
    endif()
    list(APPEND dirs ${VMPLACE_LAYER_DIR_${below}})
  endforeach()
  add_library(vmplace_${name} OBJECT ${L_SOURCES})
  target_include_directories(vmplace_${name}
    PRIVATE ${dirs} ${VMPLACE_PUBLIC_INCLUDE_DIRS} ${GLPK_INCLUDE_DIRS})
  target_compile_definitions(vmplace_${name} PRIVATE VMPLACE_SHARED_BUILD
    $<$<BOOL:${VMPLACE_WITH_LIBVIRT}>:VMPLACE_WITH_LIBVIRT=1>
    $<$<BOOL:${VMPLACE_WITH_FORECAST}>:VMPLACE_WITH_FORECAST=1>)
  target_link_libraries(vmplace_${name} PRIVATE PkgConfig::JANSSON vmplace_warnings
                        vmplace_sanitize)
endfunction()
