# SPDX-License-Identifier: GPL-3.0-or-later
# Room plugin parsers of outside input: client requests and join tokens.
hipaa_add_fuzzer(room_request SOURCES RoomRequestFuzz.cpp LIBS hipaa_room_core)
hipaa_add_fuzzer(join_token SOURCES JoinTokenFuzz.cpp LIBS hipaa_room_core)
hipaa_add_fuzzer(rtcp SOURCES RtcpFuzz.cpp LIBS hipaa_room_core)
