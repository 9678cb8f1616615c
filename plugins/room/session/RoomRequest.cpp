// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomRequest.hpp"

#include "hipaa/Errors.hpp"

#include <string_view>
#include <tuple>

namespace hipaa::room {
namespace {

constexpr size_t kMaxIdBytes = 128;  // participant ids and feeds from the room's events; room ids
constexpr size_t kMaxMidBytes = 32;

[[noreturn]] void missing(const char* key) {
    throw RequestError(errc::kMissingField, std::string("missing field: ") + key);
}
[[noreturn]] void invalid(const std::string& message) { throw RequestError(errc::kInvalidField, message); }

// How one field is read; which JSON type it must have follows from the member it fills:
//   std::string  a string of at most `max` bytes without NUL, then `check` (which may normalize it)
//   int          an optional boolean: 1, 0, or -1 when absent
//   bool         a required boolean
//   uint64_t     a required positive integer
//   StreamRefs   an array of at most StreamRef::kMaxEntries objects (absent: none); `feedRequired`
//                for every entry's `feed`
struct Rule {
    size_t max = 0;
    bool required = false;
    const char* (*check)(std::string& value) = nullptr;  // nullptr, or the refusal's message (303)
    bool feedRequired = false;
};

template <class Owner, class T>
struct Field {
    const char* key;
    T Owner::*member;  // nullptr: checked, not kept
    Rule rule;
};

void readInto(const json_t* m, const char* key, const Rule& rule, std::string& out) {
    const json_t* v = json_object_get(m, key);
    if (!v && rule.required) missing(key);
    if (v) {
        if (!json_is_string(v)) invalid(std::string("field must be a string: ") + key);
        size_t len = json_string_length(v);
        if (len > rule.max) invalid(std::string("field too long: ") + key);
        out.assign(json_string_value(v), len);
        if (out.find('\0') != std::string::npos) invalid(std::string("field has NUL: ") + key);
    }
    if (rule.check)
        if (const char* why = rule.check(out)) invalid(why);
}

void readInto(const json_t* m, const char* key, const Rule&, int& out) {
    const json_t* v = json_object_get(m, key);
    if (!v) return;
    if (!json_is_boolean(v)) invalid(std::string("field must be a boolean: ") + key);
    out = json_is_true(v) ? 1 : 0;
}

void readInto(const json_t* m, const char* key, const Rule&, bool& out) {
    const json_t* v = json_object_get(m, key);
    if (!v) missing(key);
    if (!json_is_boolean(v)) invalid(std::string("field must be a boolean: ") + key);
    out = json_is_true(v);
}

void readInto(const json_t* m, const char* key, const Rule&, uint64_t& out) {
    const json_t* v = json_object_get(m, key);
    if (!v) missing(key);
    if (!json_is_integer(v) || json_integer_value(v) <= 0) invalid(std::string(key) + " must be a positive integer");
    out = static_cast<uint64_t>(json_integer_value(v));
}

// A feed is a participant id; VideoRoom clients may send it as a number, which no participant has.
std::string feedOf(const json_t* o, bool required) {
    const json_t* v = json_object_get(o, "feed");
    if (json_is_integer(v)) return std::to_string(json_integer_value(v));
    std::string feed;
    readInto(o, "feed", Rule{.max = kMaxIdBytes, .required = required}, feed);
    return feed;
}

void readInto(const json_t* m, const char* key, const Rule& rule, std::vector<StreamRef>& out) {
    const json_t* arr = json_object_get(m, key);
    if (!arr) return;
    if (!json_is_array(arr)) invalid(std::string("field must be an array: ") + key);
    if (json_array_size(arr) > StreamRef::kMaxEntries) invalid(std::string("too many entries: ") + key);
    size_t i;
    const json_t* o;
    json_array_foreach(arr, i, o) {
        if (!json_is_object(o)) invalid(std::string("entries must be objects: ") + key);
        StreamRef r;
        r.feed = feedOf(o, rule.feedRequired);
        readInto(o, "mid", Rule{.max = kMaxMidBytes}, r.mid);
        readInto(o, "sub_mid", Rule{.max = kMaxMidBytes}, r.subMid);
        readInto(o, "description", Rule{.max = 128}, r.description);
        readInto(o, "send", {}, r.send);
        out.push_back(std::move(r));
    }
}

template <class R, class Owner, class T>
void read(const json_t* m, R& r, const Field<Owner, T>& f) {
    if (f.member) {
        readInto(m, f.key, f.rule, r.*f.member);
    } else {
        T ignored{};
        readInto(m, f.key, f.rule, ignored);
    }
}

// ---- content checks ----

const char* ptypeCheck(std::string& v) {
    return v.empty() || v == "publisher" || v == "subscriber" ? nullptr : "ptype must be publisher or subscriber";
}
// PHI typed by the patient (or sent by the clinic's app): shown to the room, never in events.
const char* displayCheck(std::string& v) {
    for (unsigned char ch : v)
        if (ch < 0x20 || ch == 0x7f) return "display has control characters";
    return nullptr;
}
const char* noteTextCheck(std::string& v) { return v.empty() ? "field must not be empty: text" : nullptr; }
const char* loincCheck(std::string& v) {
    if (v.empty()) v = "11506-3";  // Progress note
    for (char c : v)
        if (!((c >= '0' && c <= '9') || c == '-')) return "type must be a LOINC code";
    return nullptr;
}

// ---- each request's fields, in the order they are checked (the first refusal answers) ----

template <class R>
struct Tag {};

template <class R>
constexpr auto fields(Tag<R>) {
    return std::tuple<>{};  // a request without fields: anything else in the message is ignored
}

constexpr Field<JoinRequest, std::string> kPtype{"ptype", nullptr, {.max = 16, .check = ptypeCheck}};

constexpr auto fields(Tag<JoinRequest>) {
    using R = JoinRequest;
    return std::tuple{Field<R, std::string>{"room", &R::room, {.max = kMaxIdBytes, .required = true}}, kPtype,
                      // The verifier refuses tokens over its limit with its own code; bound the copy here.
                      Field<R, std::string>{"token", &R::token, {.max = size_t{64} * 1024, .required = true}},
                      Field<R, std::string>{"dob", &R::dob, {.max = 10}},
                      Field<R, std::string>{"display", &R::display, {.max = 64, .check = displayCheck}}};
}

// A subscriber handle belongs to an admitted participant: its private_id, not a token.
constexpr auto fields(Tag<SubscriberJoinRequest>) {
    using R = SubscriberJoinRequest;
    return std::tuple{Field<R, std::string>{"room", &R::room, {.max = kMaxIdBytes, .required = true}},
                      Field<R, std::string>{"ptype", nullptr, kPtype.rule},
                      Field<R, uint64_t>{"private_id", &R::privateId, {.required = true}},
                      Field<R, std::vector<StreamRef>>{"streams", &R::streams, {.feedRequired = true}}};
}

template <class R>
constexpr auto targetFields() {
    return std::tuple{Field<R, std::string>{"id", &R::id, {.max = kMaxIdBytes, .required = true}}};
}
constexpr auto fields(Tag<AdmitRequest>) { return targetFields<AdmitRequest>(); }
constexpr auto fields(Tag<DenyRequest>) { return targetFields<DenyRequest>(); }
constexpr auto fields(Tag<SendToWaitingRequest>) { return targetFields<SendToWaitingRequest>(); }
constexpr auto fields(Tag<KickRequest>) { return targetFields<KickRequest>(); }

constexpr auto fields(Tag<NoteRequest>) {
    using R = NoteRequest;
    return std::tuple{
        Field<R, std::string>{"text", &R::text, {.max = R::kMaxTextBytes, .required = true, .check = noteTextCheck}},
        Field<R, std::string>{"type", &R::type, {.max = 32, .check = loincCheck}}};
}

constexpr auto fields(Tag<ConsentRequest>) {
    return std::tuple{Field<ConsentRequest, bool>{"consent", &ConsentRequest::consent, {.required = true}}};
}

constexpr auto mediaFields() {
    using R = MediaSettings;
    return std::tuple{Field<R, std::vector<StreamRef>>{"descriptions", &R::descriptions, {}},
                      Field<R, std::vector<StreamRef>>{"streams", &R::streams, {}},
                      Field<R, int>{"audio", &R::audio, {}}, Field<R, int>{"video", &R::video, {}},
                      Field<R, int>{"screen", &R::screen, {}}};
}
constexpr auto fields(Tag<PublishRequest>) { return mediaFields(); }
constexpr auto fields(Tag<ConfigureRequest>) {
    return std::tuple_cat(mediaFields(),
                          std::tuple{Field<ConfigureRequest, int>{"restart", &ConfigureRequest::restart, {}}});
}

constexpr auto fields(Tag<ModerateRequest>) {
    using R = ModerateRequest;
    return std::tuple{Field<R, std::string>{"id", &R::id, {.max = kMaxIdBytes, .required = true}},
                      Field<R, bool>{"mute", &R::mute, {.required = true}},
                      Field<R, std::string>{"mid", &R::mid, {.max = kMaxMidBytes}}};
}

constexpr auto fields(Tag<UpdateRequest>) {
    using R = UpdateRequest;
    return std::tuple{Field<R, std::vector<StreamRef>>{"subscribe", &R::subscribe, {.feedRequired = true}},
                      Field<R, std::vector<StreamRef>>{"unsubscribe", &R::unsubscribe, {}},
                      Field<R, int>{"restart", &R::restart, {}}};
}

// ---- rules across fields ----

template <class R>
void finish(R&, const json_t*) {}

void finish(SubscriberJoinRequest& r, const json_t* m) {
    if (!r.streams.empty()) return;
    StreamRef one;
    one.feed = feedOf(m, true);  // the legacy single-feed form
    r.streams.push_back(std::move(one));
}

void finish(UpdateRequest& r, const json_t*) {
    if (r.subscribe.empty() && r.unsubscribe.empty() && r.restart != 1)
        throw RequestError(errc::kMissingField, "update needs subscribe, unsubscribe or restart");
}

template <class R>
RoomRequest parseAs(const json_t* m) {
    R r;
    std::apply([&](const auto&... f) { (read(m, r, f), ...); }, fields(Tag<R>{}));
    finish(r, m);
    return r;
}

// Which join: a subscriber handle's (ptype "subscriber") or a participant's. Both check ptype again
// after `room`, so a bad ptype is refused in the same order either way.
RoomRequest parseJoin(const json_t* m) {
    const json_t* p = json_object_get(m, "ptype");
    bool subscriber =
        json_is_string(p) && std::string_view(json_string_value(p), json_string_length(p)) == "subscriber";
    return subscriber ? parseAs<SubscriberJoinRequest>(m) : parseAs<JoinRequest>(m);
}

struct Entry {
    std::string_view name;
    RoomRequest (*parse)(const json_t*);
};
template <class R>
constexpr Entry entry() {
    return {R::kName, parseAs<R>};
}

constexpr Entry kRequests[] = {
    {"join", parseJoin},     entry<LeaveRequest>(),         entry<ParticipantsRequest>(), entry<AdmitRequest>(),
    entry<DenyRequest>(),    entry<SendToWaitingRequest>(), entry<KickRequest>(),         entry<EndRequest>(),
    entry<NoteRequest>(),    entry<RecordRequest>(),        entry<StopRecordRequest>(),   entry<ConsentRequest>(),
    entry<PublishRequest>(), entry<ConfigureRequest>(),     entry<UnpublishRequest>(),    entry<ModerateRequest>(),
    entry<StartRequest>(),   entry<PauseRequest>(),         entry<UpdateRequest>(),
};

}  // namespace

RoomRequest parseRoomRequest(const json_t* m) {
    if (!json_is_object(m)) throw RequestError(errc::kInvalidJson, "message must be a JSON object");
    std::string name;
    readInto(m, "request", Rule{.max = 64, .required = true}, name);
    for (const Entry& e : kRequests)
        if (e.name == name) return e.parse(m);
    throw RequestError(errc::kUnknownRequest, "unknown request");
}

const char* requestName(const RoomRequest& request) {
    return std::visit([](const auto& r) { return std::decay_t<decltype(r)>::kName; }, request);
}

}  // namespace hipaa::room
