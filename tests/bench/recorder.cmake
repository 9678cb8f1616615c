# SPDX-License-Identifier: GPL-3.0-or-later
# Recorder: sealed (AES-256-GCM + SHA-256) vs plain writing of the same packets, with and without
# the SRTP step in front. Run: build/tests/bench/bench_recorder [seconds-of-media]
add_executable(bench_recorder ${CMAKE_CURRENT_LIST_DIR}/RecorderBench.cpp)
target_link_libraries(bench_recorder PRIVATE hipaa_recorder_core)
# Join/admission latency of the room while the recorder exports a large recording, against the same
# load without it, in one run. Run: build/tests/bench/bench_room_recorder [size-MB=1024] [baseline-s=10]
add_executable(bench_room_recorder ${CMAKE_CURRENT_LIST_DIR}/RoomRecorderBench.cpp)
target_link_libraries(bench_room_recorder PRIVATE hipaa_room_core hipaa_recorder_core hipaa_room_test_tokens)
# CPU per recorded packet of the room's in-process recording: the tap's typed path against the UDP path
# (SRTP over loopback) it replaced, alternately in one run. Run: build/tests/bench/bench_room_tap [RATE] [SECONDS] [ROUNDS]
add_executable(bench_room_tap ${CMAKE_CURRENT_LIST_DIR}/RoomTapBench.cpp)
target_link_libraries(bench_room_tap PRIVATE hipaa_room_media hipaa_recorder_core hipaa_test_support)
# Kept chat and document bytes: sealed vs plain, per message and per MiB, in one run.
# Run: build/tests/bench/bench_chat_seal [messages=20000] [document-MiB=64] [rounds=5]
add_executable(bench_chat_seal ${CMAKE_CURRENT_LIST_DIR}/ChatSealBench.cpp)
target_link_libraries(bench_chat_seal PRIVATE hipaa_recorder_core)
