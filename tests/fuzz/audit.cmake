# SPDX-License-Identifier: GPL-3.0-or-later
# Audit handler: arbitrary Janus events through the scrubber with the shipped policy.
hipaa_add_fuzzer(audit_scrubber SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/AuditScrubberFuzz.cpp LIBS hipaa_audit_core)
target_compile_definitions(audit_scrubber_fuzz PRIVATE
  HIPAA_AUDIT_POLICY="${PROJECT_SOURCE_DIR}/conf/janus.eventhandler.hipaa.audit.policy.jcfg")
