# Join authorization (parse + signature + claims + replay) per algorithm next to bare OpenSSL
# verification of the same tokens, p50/p99 in one run. Run: build/tests/bench/room_join_bench
add_executable(room_join_bench ${CMAKE_CURRENT_LIST_DIR}/RoomJoinBench.cpp)
target_link_libraries(room_join_bench PRIVATE hipaa_room_test_tokens)
