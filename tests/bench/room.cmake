# SPDX-License-Identifier: GPL-3.0-or-later
# Join authorization (parse + signature + claims + replay) per algorithm next to bare OpenSSL
# verification of the same tokens, p50/p99 in one run. Run: build/tests/bench/room_join_bench
add_executable(room_join_bench ${CMAKE_CURRENT_LIST_DIR}/RoomJoinBench.cpp)
target_link_libraries(room_join_bench PRIVATE hipaa_room_test_tokens)

# The room's per-packet media path through the glue (incoming_rtp -> MediaRelay -> relay_rtp), 1 and 8
# subscribers, one and four media threads. Run: build/tests/bench/bench_relay
find_package(benchmark REQUIRED)
add_executable(bench_relay ${CMAKE_CURRENT_LIST_DIR}/RelayBench.cpp)
target_link_libraries(bench_relay PRIVATE hipaa_room_media hipaa_test_support benchmark::benchmark)
