# Integration tests against the lab (tests/lab/lab.sh): libvirtd "hosts" in
# namespaces with real QEMU guests.  Each section starts a lab of its own
# and tears it down; a section exits 77 (skipped, with the reason) where
# the lab cannot run: not root, no mount or cgroup namespaces, libvirt or
# QEMU missing (`tests/lab/lab.sh install`, which CI runs).  They run alone
# (RUN_SERIAL): one lab at a time, as the hosts of two labs would compete
# for the same migration ports, and their daemons and guests load the
# cores, which tests with a clock (the Python binding's comparison of
# time-limited solves) must not feel.  They stay out of the sanitizer
# build: they test libvirt's side, and run the CLI many times over.
if(BASH)
  foreach(section migrate faults crash)
    add_test(NAME lab_${section}
             COMMAND ${BASH} ${CMAKE_CURRENT_SOURCE_DIR}/lab/lab_test.sh ${section}
                     $<TARGET_FILE:vmplace_cli>)
    set_tests_properties(lab_${section} PROPERTIES
      SKIP_RETURN_CODE 77 TIMEOUT 900 RUN_SERIAL TRUE LABELS "lab;nosan")
  endforeach()
endif()
