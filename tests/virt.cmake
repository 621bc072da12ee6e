# The libvirt adapter's tests (included by tests/CMakeLists.txt when
# VMPLACE_WITH_LIBVIRT is on).
#
# libvirt's test driver runs in-process: each tests/data/virt/hN.xml opened
# as test:///path/hN.xml is one host.  It cannot migrate, so the live path
# and fault injection go through wrapped libvirt calls (tests/virt_wrap.c,
# linked with -Wl,--wrap).
set(VMPLACE_VIRT_DATA ${CMAKE_CURRENT_SOURCE_DIR}/data/virt)
set(VMPLACE_VIRT_INVENTORY ${CMAKE_CURRENT_BINARY_DIR}/virt/inventory.json)
configure_file(${VMPLACE_VIRT_DATA}/inventory.json.in ${VMPLACE_VIRT_INVENTORY} @ONLY)

set(VMPLACE_VIRT_WRAPPED virDomainDefineXML virDomainCreate virDomainShutdown
    virDomainDestroy virDomainUndefineFlags virDomainMigrateToURI3
    virDomainSetSchedulerParametersFlags)
foreach(t test_virt)
  if(TARGET ${t})
    target_sources(${t} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/virt_wrap.c)
    foreach(sym ${VMPLACE_VIRT_WRAPPED})
      target_link_options(${t} PRIVATE "-Wl,--wrap=${sym}")
    endforeach()
    target_compile_definitions(${t} PRIVATE
      VMPLACE_VIRT_INVENTORY="${VMPLACE_VIRT_INVENTORY}"
      VMPLACE_VIRT_DATA="${VMPLACE_VIRT_DATA}")
  endif()
endforeach()

# `vmplace rebalance` end to end on the test datacenter, and the other
# libvirt subcommands' contract.
if(BASH)
  add_test(NAME cli_virt COMMAND ${BASH} ${CMAKE_CURRENT_SOURCE_DIR}/cli_virt_test.sh
           $<TARGET_FILE:vmplace_cli> ${PROJECT_SOURCE_DIR} ${VMPLACE_VIRT_INVENTORY})
  set_tests_properties(cli_virt PROPERTIES TIMEOUT 300)
endif()
