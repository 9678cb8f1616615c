# Recorder: sealed (AES-256-GCM + SHA-256) vs plain writing of the same packets, with and without
# the SRTP step in front. Run: build/tests/bench/bench_recorder [seconds-of-media]
add_executable(bench_recorder ${CMAKE_CURRENT_LIST_DIR}/RecorderBench.cpp)
target_link_libraries(bench_recorder PRIVATE hipaa_recorder_core)
