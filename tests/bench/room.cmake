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

# The shared token state (cluster.conninfo): join authorization with PostgreSQL against in memory, and
# revocation propagation between two instances' connections. Needs HIPAA_TEST_PG.
# Run: build/tests/bench/room_shared_state_bench [joins] [revocations]
add_executable(room_shared_state_bench ${CMAKE_CURRENT_LIST_DIR}/RoomSharedStateBench.cpp)
target_link_libraries(room_shared_state_bench PRIVATE hipaa_room_test_tokens hipaa_room_cluster
  hipaa_integration_support)
target_compile_definitions(room_shared_state_bench PRIVATE HIPAA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
