// SPDX-License-Identifier: GPL-3.0-or-later
// The permission table: docs/room.md prints exactly its rows, and RoomService answers every request
// from every kind of handle and state as the table says (a room of the default class per case).
#include "PermissionTable.hpp"
#include "RoomErrors.hpp"
#include "RoomHarness.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::room::test;

namespace {

std::string docsTable() {
    std::ifstream in(std::string(HIPAA_SOURCE_DIR) + "/docs/room.md");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string doc = ss.str(), begin = "<!-- permission table: begin -->\n",
                      end = "<!-- permission table: end -->";
    size_t b = doc.find(begin), e = doc.find(end);
    if (b == std::string::npos || e == std::string::npos || e < b)
        return "(no permission table markers in docs/room.md)";
    return doc.substr(b + begin.size(), e - b - begin.size());
}

}  // namespace

TEST(PermissionTable, DocsRoomMdPrintsExactlyTheCodesTable) {
    EXPECT_EQ(docsTable(), PermissionTable::markdown())
        << "docs/room.md, between the permission table markers, must read:\n"
        << PermissionTable::markdown();
}

TEST(PermissionTable, RoomServiceAnswersEveryRequestFromEveryHandleAsTheTableSays) {
    RoomHarness h;
    const char* kAv = "m=audio opus 111\nm=video vp8 96\nm=application";
    SessionId next = 100;
    int sub = 0;
    enum Sender { New, WaitingPatient, AdmittedPatient, Observer, Provider, SubscriberHandle };
    struct Case {
        Sender sender;
        PermissionTable::Handle handle;
        Role role;
        bool waiting;
    };
    const Case cases[] = {{New, PermissionTable::Handle::New, Role::Patient, false},
                          {WaitingPatient, PermissionTable::Handle::Participant, Role::Patient, true},
                          {AdmittedPatient, PermissionTable::Handle::Participant, Role::Patient, false},
                          {Observer, PermissionTable::Handle::Participant, Role::Observer, false},
                          {Provider, PermissionTable::Handle::Participant, Role::Provider, false},
                          {SubscriberHandle, PermissionTable::Handle::Subscriber, Role::Provider, false}};
    for (size_t kind = 0; kind < std::variant_size_v<RoomRequest>; ++kind) {
        for (const Case& c : cases) {
            // A room with a provider and an admitted patient publishing, a waiting patient, an
            // observer, and the provider's subscriber handle on the patient's feed.
            std::string room = h.createRoom();
            SessionId dr = next++, waiting = next++, pat = next++, obs = next++, subH = next++, fresh = next++;
            std::string n = std::to_string(++sub);
            h.join(dr, room, "provider", "dr-" + n);
            h.join(waiting, room, "patient", "w-" + n);
            h.join(pat, room, "patient", "p-" + n);
            h.join(obs, room, "observer", "o-" + n);
            h.send(dr, R"({"request":"admit","id":")" + h.idOf(pat) + R"("})");
            h.send(dr, R"({"request":"admit","id":")" + h.idOf(obs) + R"("})");
            h.sendJsep(dr, R"({"request":"publish"})", "offer", kAv);
            h.sendJsep(pat, R"({"request":"publish"})", "offer", kAv);
            uint64_t privateId = 0;
            for (const json_t* p : h.pushes(dr))
                if (auto id = jsonInt(p, "private_id")) privateId = static_cast<uint64_t>(*id);
            h.send(subH, R"({"request":"join","ptype":"subscriber","room":")" + room + R"(","private_id":)" +
                             std::to_string(privateId) + R"(,"feed":")" + h.idOf(pat) + R"("})");
            ASSERT_EQ(jsonString(h.lastPush(subH), "hipaa.room").value_or(""), "attached");

            const std::string samples[] = {
                R"({"request":"join","room":")" + room + R"(","token":")" +
                    h.tokens().sign(h.tokens().claims(room, "patient", h.nowS(), "j-" + n).get()) + R"("})",
                R"({"request":"join","ptype":"subscriber","room":")" + room + R"(","private_id":)" +
                    std::to_string(privateId) + R"(,"feed":")" + h.idOf(pat) + R"("})",
                R"({"request":"leave"})",
                R"({"request":"participants"})",
                R"({"request":"admit","id":")" + h.idOf(waiting) + R"("})",
                R"({"request":"deny","id":")" + h.idOf(waiting) + R"("})",
                R"({"request":"send_to_waiting","id":")" + h.idOf(pat) + R"("})",
                R"({"request":"kick","id":")" + h.idOf(pat) + R"("})",
                R"({"request":"end"})",
                R"({"request":"note","text":"feels better"})",
                R"({"request":"record"})",
                R"({"request":"stop_record"})",
                R"({"request":"consent","consent":true})",
                R"({"request":"publish"})",
                R"({"request":"configure","audio":false})",
                R"({"request":"unpublish"})",
                R"({"request":"moderate","id":")" + h.idOf(pat) + R"(","mute":true})",
                R"({"request":"start"})",
                R"({"request":"pause"})",
                R"({"request":"update","unsubscribe":[{"feed":")" + h.idOf(pat) + R"("}]})",
            };
            static_assert(std::size(samples) == std::variant_size_v<RoomRequest>);
            const std::string& text = samples[kind];
            RoomRequest request = parseRoomRequest(jsonParse(text).get());
            ASSERT_EQ(request.index(), kind) << text;

            SessionId from = c.sender == New               ? fresh
                             : c.sender == WaitingPatient  ? waiting
                             : c.sender == AdmittedPatient ? pat
                             : c.sender == Observer        ? obs
                             : c.sender == Provider        ? dr
                                                           : subH;
            h.clear();
            const char* jsepType = std::holds_alternative<StartRequest>(request) ? "answer" : "offer";
            const char* sdp = std::holds_alternative<StartRequest>(request) ? "answer" : kAv;
            h.sendJsep(from, text, jsepType, sdp);
            const json_t* answer = nullptr;
            for (const json_t* p : h.pushes(from))
                if (!answer) answer = p;
            int64_t code = answer ? jsonInt(answer, "error_code").value_or(0) : 0;
            bool roleDenied = false;
            for (const json_t* e : h.notifies()) roleDenied |= jsonString(e, "event").value_or("") == "role_denied";

            RoomClass cls;
            auto access = PermissionTable::check(request, c.handle, c.waiting, cls.of(c.role));
            std::string what = text + " from sender " + std::to_string(c.sender);
            using A = PermissionTable::Access;
            switch (access) {
                case A::Allowed:
                    EXPECT_TRUE(code != room::errc::kNotJoined && code != room::errc::kAlreadyJoined &&
                                code != room::errc::kForbidden && code != room::errc::kWrongHandle)
                        << what << ": " << code;
                    EXPECT_FALSE(roleDenied) << what;
                    break;
                case A::NotJoined:
                    EXPECT_EQ(code, room::errc::kNotJoined) << what;
                    break;
                case A::AlreadyJoined:
                    EXPECT_EQ(code, room::errc::kAlreadyJoined) << what;
                    break;
                case A::SubscriberOnly:
                case A::ParticipantOnly:
                    EXPECT_EQ(code, room::errc::kWrongHandle) << what;
                    break;
                case A::RoleDenied:
                    EXPECT_EQ(code, room::errc::kForbidden) << what;
                    EXPECT_TRUE(roleDenied) << what;
                    break;
            }
        }
    }
}
