# Recorder: sealed (AES-256-GCM + SHA-256) vs plain writing of the same packets, with and without
# the SRTP step in front. Run: build/tests/bench/bench_recorder [seconds-of-media]
add_executable(bench_recorder ${CMAKE_CURRENT_LIST_DIR}/RecorderBench.cpp)
target_link_libraries(bench_recorder PRIVATE hipaa_recorder_core)
# Join/admission latency of the room while the recorder exports a large recording, against the same
# load without it, in one run. Run: build/tests/bench/bench_room_recorder [size-MB=1024] [baseline-s=10]
add_executable(bench_room_recorder ${CMAKE_CURRENT_LIST_DIR}/RoomRecorderBench.cpp)
target_link_libraries(bench_room_recorder PRIVATE hipaa_room_core hipaa_recorder_core hipaa_room_test_tokens)
