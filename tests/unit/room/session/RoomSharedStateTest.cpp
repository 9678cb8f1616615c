// SPDX-License-Identifier: GPL-3.0-or-later
// RoomService with a shared token state (cluster.conninfo) standing in for the other instances: what
// it spent, revoked or locked refuses a join here; while it cannot answer joins are refused (468) and
// running visits go on; its revocations end live sessions here; `revoke` stores first. The store is a
// fake here; tests/integration/room runs the real one in PostgreSQL.
#include "RoomErrors.hpp"
#include "RoomHarness.hpp"
#include "SharedTokenState.hpp"

#include "hipaa/JsonBuilder.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <stdexcept>

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::room::test;

namespace {

constexpr SessionId kDr = 1, kPat = 2, kPat2 = 3;

int64_t errorCode(const json_t* push) { return jsonInt(push, "error_code").value_or(0); }

// The other instances, in memory: spent (iss, jti), revoked subject keys, locked pseudonyms.
class FakeSharedState final : public SharedTokenState {
public:
    Verdict spend(const Join& j, int64_t) override {
        down();
        ++spends;
        if (revoked.contains(j.subject) || revoked.contains(j.jti) || revoked.contains(j.room)) return Verdict::Revoked;
        if (locked.contains(j.pseudonym)) return Verdict::Locked;
        return spent.insert(j.iss + '\n' + j.jti).second ? Verdict::Fresh : Verdict::Replayed;
    }
    Verdict peek(const Join& j, int64_t) override {
        down();
        ++peeks;
        if (revoked.contains(j.subject) || revoked.contains(j.jti) || revoked.contains(j.room)) return Verdict::Revoked;
        if (locked.contains(j.pseudonym)) return Verdict::Locked;
        return spent.contains(j.iss + '\n' + j.jti) ? Verdict::Replayed : Verdict::Fresh;
    }
    bool dobFailure(const Join& j, const Limits& l, int64_t) override {
        down();
        spent.erase(j.iss + '\n' + j.jti);
        if (++failures[j.pseudonym] < l.maxFailures) return false;
        locked.insert(j.pseudonym);
        return true;
    }
    void revoke(const Revocation& r) override {
        down();
        revocations.push_back(r);
        revoked.insert(r.target);
    }
    JsonPtr describe() const override { return JsonBuilder().set("mode", "shared").build(); }
    void down() const {
        if (unreachable)
            throw Error(room::errc::kSharedStateUnavailable, "shared token state unavailable (connect_failed)");
    }

    bool unreachable = false;
    int spends = 0, peeks = 0;
    std::set<std::string> spent, revoked, locked;
    std::map<std::string, int> failures;
    std::vector<Revocation> revocations;
};

RoomSettings withShared(const std::shared_ptr<FakeSharedState>& s) {
    RoomSettings r;
    r.classes["dob"] = RoomClass{};
    r.classes["dob"].dobCheck = true;
    r.shared = s;
    return r;
}

class RoomShared : public ::testing::Test {
protected:
    std::string subjectKey(const std::string& sub) const {
        return SharedTokenState::subjectKey(Pseudonymizer(Bytes(32, 0x42)), sub);
    }
    std::shared_ptr<FakeSharedState> store = std::make_shared<FakeSharedState>();
    RoomHarness h{withShared(store), 2};
    std::string room = h.createRoom();
};

TEST_F(RoomShared, ATokenAnotherInstanceSpentIsReplayedHere) {
    JsonPtr claims = h.tokens().claims(room, "patient", h.nowS(), "pat-a");
    std::string token = h.tokens().sign(claims.get());
    store->spent.insert(std::string(TokenFactory::kIssuer) + '\n' +
                        std::string(jsonString(claims.get(), "jti").value_or("")));
    h.joinWith(kPat, room, token);
    EXPECT_EQ(errorCode(h.lastPush(kPat)), room::errc::kTokenReplayed);
    EXPECT_EQ(store->spends, 1);
}

TEST_F(RoomShared, ASubjectAnotherInstanceRevokedIsRefusedAndItsRevocationEndsTheLiveSession) {
    h.join(kDr, room, "provider", "dr-1");
    h.join(kPat, room, "patient", "pat-a");
    ASSERT_FALSE(h.ended(kPat));
    Effects out = h.service().sharedRevocation(
        {.kind = "subject", .target = subjectKey("pat-a"), .until = h.nowS() + 600, .by = {}, .reason = {}}, h.nowUs());
    bool ended = false;
    for (const auto& e : out) ended |= e.kind == Effect::Kind::End && e.session == kPat;
    EXPECT_TRUE(ended);
    Effects copy = h.service().sharedRevocation(
        {.kind = "subject", .target = subjectKey("pat-a"), .until = h.nowS() + 600, .by = {}, .reason = {}}, h.nowUs());
    EXPECT_TRUE(copy.empty());  // nobody left: no second event
    store->revoked.insert(subjectKey("pat-a"));
    h.join(kPat2, room, "patient", "pat-a");
    EXPECT_EQ(errorCode(h.lastPush(kPat2)), room::errc::kTokenRevoked);
    EXPECT_FALSE(h.ended(kDr));
}

TEST_F(RoomShared, AnUnreachableStoreRefusesNewJoinsWith468AndRunningVisitsGoOn) {
    h.join(kDr, room, "provider", "dr-1");
    store->unreachable = true;
    h.join(kPat, room, "patient", "pat-a");
    EXPECT_EQ(errorCode(h.lastPush(kPat)), room::errc::kSharedStateUnavailable);
    bool event = false;
    for (const json_t* n : h.notifies())
        event |= jsonString(n, "reason").value_or("") == "shared_state_unavailable" &&
                 jsonInt(n, "error_code").value_or(0) == room::errc::kSharedStateUnavailable;
    EXPECT_TRUE(event);
    h.send(kDr, R"({"request":"participants"})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), 0);
    EXPECT_FALSE(h.ended(kDr));
    // Revoking cannot be promised: 468, and nothing ended.
    try {
        h.admin(R"({"request":"revoke","sub":"dr-1"})");
        FAIL() << "revoke answered without the shared store";
    } catch (const RequestError& e) {
        EXPECT_EQ(e.code(), room::errc::kSharedStateUnavailable);
    }
    EXPECT_FALSE(h.ended(kDr));
    store->unreachable = false;
    h.join(kPat, room, "patient", "pat-a");
    EXPECT_EQ(errorCode(h.lastPush(kPat)), 0);
}

TEST_F(RoomShared, RevokeStoresTheSubjectKeyedAndTheActorAsAPseudonym) {
    JsonPtr res;
    h.admin(R"({"request":"revoke","sub":"pat-a","by":"Nurse Jackie","reason":"left_practice"})", &res);
    ASSERT_EQ(store->revocations.size(), 1u);
    const auto& r = store->revocations[0];
    EXPECT_EQ(r.kind, "subject");
    EXPECT_EQ(r.target, subjectKey("pat-a"));
    EXPECT_TRUE(r.by.starts_with("ps1_")) << r.by;
    EXPECT_EQ(r.reason, "left_practice");
    EXPECT_THROW(h.admin(R"({"request":"revoke","sub":"pat-b","reason":"she was rude"})"), RequestError);
    EXPECT_EQ(store->revocations.size(), 1u);
}

TEST_F(RoomShared, WrongDatesOfBirthAreCountedInTheSharedStore) {
    std::string dobRoom = h.createRoom("dob");
    JsonPtr claims = h.tokens().patientClaims(dobRoom, h.nowS(), "pat-d", "1980-02-29");
    std::string token = h.tokens().sign(claims.get());
    h.joinWith(kPat, dobRoom, token, "1980-03-01");
    EXPECT_EQ(errorCode(h.lastPush(kPat)), room::errc::kTokenDobMismatch);
    EXPECT_TRUE(store->spent.empty());  // the link was given back
    h.joinWith(kPat2, dobRoom, token, "1980-03-02");
    EXPECT_EQ(store->locked.size(), 1u);
    bool lockout = false;
    for (const json_t* n : h.notifies()) lockout |= jsonString(n, "event").value_or("") == "lockout";
    EXPECT_TRUE(lockout);
}

}  // namespace

// A join for a room another instance hosts: the token is checked as a join here would check it, but
// nothing is spent (the host spends it); a spent, revoked or bad token gets its own code, never the
// host's address.
TEST_F(RoomShared, AJoinForARoomHostedElsewhereIsCheckedWithoutSpendingItsToken) {
    auto vouch = [&](SessionId s, const std::string& token, int* code) {
        JsonPtr m = JsonBuilder().set("request", "join").set("room", "far-1").set("token", token).build();
        Effects out;
        auto v = h.service().vouchForRedirect(s, "tx", m.get(), "default", h.nowUs(), out);
        *code = 0;
        for (const auto& e : out)
            if (e.kind == Effect::Kind::Push) *code = static_cast<int>(errorCode(e.body.get()));
        return v;
    };
    int code = -1;
    JsonPtr claims = h.tokens().claims("far-1", "patient", h.nowS(), "pat-a");
    std::string token = h.tokens().sign(claims.get());
    EXPECT_EQ(vouch(kPat, token, &code), RoomService::Vouch::Redirect);
    EXPECT_EQ(code, 0);
    EXPECT_EQ(vouch(kPat, token, &code), RoomService::Vouch::Redirect);  // still unspent here
    EXPECT_EQ(store->spends, 0);
    EXPECT_EQ(store->peeks, 2);
    store->spent.insert(std::string(TokenFactory::kIssuer) + '\n' +
                        std::string(jsonString(claims.get(), "jti").value_or("")));
    EXPECT_EQ(vouch(kPat2, token, &code), RoomService::Vouch::Refused);
    EXPECT_EQ(code, room::errc::kTokenReplayed);

    store->revoked.insert(subjectKey("pat-b"));
    std::string revoked = h.tokens().sign(h.tokens().claims("far-1", "patient", h.nowS(), "pat-b").get());
    EXPECT_EQ(vouch(kPat2, revoked, &code), RoomService::Vouch::Refused);
    EXPECT_EQ(code, room::errc::kTokenRevoked);
    EXPECT_EQ(vouch(kPat2, "x.y.z", &code), RoomService::Vouch::Refused);
    EXPECT_EQ(code, room::errc::kTokenMalformed);

    store->unreachable = true;
    std::string fresh = h.tokens().sign(h.tokens().claims("far-1", "provider", h.nowS(), "dr-1").get());
    EXPECT_EQ(vouch(kDr, fresh, &code), RoomService::Vouch::Refused);
    EXPECT_EQ(code, room::errc::kSharedStateUnavailable);
}
