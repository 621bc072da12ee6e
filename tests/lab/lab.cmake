# Integration tests against the lab (tests/lab/lab.sh): libvirtd "hosts" in
# namespaces with real QEMU guests.  Each section starts a lab of its own
# and tears it down; a section exits 77 (skipped, with the reason) where
# the lab cannot run: not root, no mount or cgroup namespaces, libvirt or
# QEMU missing (`tests/lab/lab.sh install`, which CI runs).  They share the
# lock "vmplace_lab" (one lab at a time: hosts of two labs would compete for
# the same migration ports) and stay out of the sanitizer build (they test
# libvirt's side, and the CLI runs in them many times over).
if(BASH)
  foreach(section migrate faults crash)
    add_test(NAME lab_${section}
             COMMAND ${BASH} ${CMAKE_CURRENT_SOURCE_DIR}/lab/lab_test.sh ${section}
                     $<TARGET_FILE:vmplace_cli>)
    set_tests_properties(lab_${section} PROPERTIES
      SKIP_RETURN_CODE 77 TIMEOUT 900 RESOURCE_LOCK vmplace_lab LABELS "lab;nosan")
  endforeach()
endif()
