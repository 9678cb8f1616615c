# SPDX-License-Identifier: GPL-3.0-or-later
# Recorder: sealed recording files and keyrings (included by tests/fuzz/CMakeLists.txt).
hipaa_add_fuzzer(recording SOURCES ${CMAKE_CURRENT_LIST_DIR}/RecordingFuzz.cpp LIBS hipaa_recorder_format)
