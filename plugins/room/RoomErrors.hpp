// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Error codes of janus.plugin.hipaa.room (documented in docs/error-codes.md, room section). Stable:
// never renumber, only add. Each join rejection reason has its own code so audits can count them.
// room::errc also names the shared codes (hipaa::errc), so room code writes errc::kX for either.
#include "hipaa/Errors.hpp"

#include <string>

namespace hipaa::room {

namespace errc {
using namespace hipaa::errc;

// Join token (400-429)
inline constexpr int kTokenMissing = 400;
inline constexpr int kTokenMalformed = 401;
inline constexpr int kTokenTooLarge = 402;
inline constexpr int kTokenAlgorithm = 403;   // none, unconfigured alg, alg/key mismatch (key confusion)
inline constexpr int kTokenUnknownKey = 404;  // no key for kid
inline constexpr int kTokenSignature = 405;
inline constexpr int kTokenIssuer = 406;
inline constexpr int kTokenAudience = 407;
inline constexpr int kTokenExpired = 408;
inline constexpr int kTokenNotYetValid = 409;  // nbf or iat in the future
inline constexpr int kTokenTooOld = 410;       // iat older than / exp-iat longer than max lifetime
inline constexpr int kTokenWrongRoom = 411;
inline constexpr int kTokenUnknownRole = 412;
inline constexpr int kTokenReplayed = 413;
inline constexpr int kTokenRevoked = 414;
inline constexpr int kTokenMfaRequired = 415;
inline constexpr int kTokenDobMismatch = 416;
inline constexpr int kRoomLockedOut = 417;
inline constexpr int kTokenClaimMissing = 418;  // required claim absent, of the wrong type, or out of range
inline constexpr int kTokenDobLegacy = 419;     // carries dob_sha256 (a date of birth anyone with the link recovers)
inline constexpr int kTokenPatientName = 420;   // a patient token carries `name` (PHI in a link)
inline constexpr int kRateLimited = 421;        // this Janus session failed too often before any signature verified
// Room (430-449)
inline constexpr int kNoSuchRoom = 430;
inline constexpr int kRoomEnded = 431;
inline constexpr int kNotJoined = 432;
inline constexpr int kAlreadyJoined = 433;
inline constexpr int kForbidden = 434;  // the caller's role may not do this
inline constexpr int kNoSuchParticipant = 435;
inline constexpr int kInvalidTarget = 436;    // e.g. admit someone who is not waiting
inline constexpr int kNoteNotAccepted = 437;  // VisitBus refused or nobody takes notes: not stored
inline constexpr int kRoomExists = 438;
inline constexpr int kBusy = 439;       // worker queue full: retry
inline constexpr int kKeyReload = 440;  // reload_keys failed; the previous keys stay active
inline constexpr int kAuditUnavailable =
    441;  // the audit trail cannot take records (not loaded, spool full): fail closed
// Recording (450-459)
inline constexpr int kRecordE2ee = 450;           // the room class is end-to-end encrypted: no recording
inline constexpr int kRecordBusy = 451;           // already recording, or a consent request is pending
inline constexpr int kRecordNoPatient = 452;      // consent required but no admitted participant can give it
inline constexpr int kNoConsentPending = 453;     // consent without a pending request or running recording
inline constexpr int kRecorderUnavailable = 454;  // the recorder is not loaded or refused to start
inline constexpr int kNotRecording = 455;         // stop_record with nothing recording or pending
// Media (460-479)
inline constexpr int kInvalidSdp = 460;         // jsep missing where required, or an SDP that does not parse
inline constexpr int kNoSuchFeed = 461;         // subscribe to a feed (or mid) that is not published here
inline constexpr int kNotPublishing = 462;      // unpublish/configure without a publication
inline constexpr int kE2eeRequired = 463;       // the room class is end-to-end encrypted and the offer is not
inline constexpr int kInvalidPrivateId = 464;   // subscriber join: no admitted participant with this private_id
inline constexpr int kNoCodec = 465;            // the offer has no codec the room accepts
inline constexpr int kWrongHandle = 466;        // a publisher request on a subscriber handle, or the reverse
inline constexpr int kTooManyPublishers = 467;  // the room class's `publishers` limit is reached
// Several instances (cluster.conninfo): the shared token state and the room directory.
inline constexpr int kSharedStateUnavailable = 468;  // the clinic's shared database cannot answer: fail closed
inline constexpr int kRoomElsewhere = 469;           // join: the room is live on another instance (redirect)
inline constexpr int kRoomHostedElsewhere = 471;     // create: the room id is live on another instance
inline constexpr int kDirectoryDisabled = 472;       // `directory` without cluster.conninfo
// Documents shared in a visit (docs/room.md, "Documents"): each refusal discards the whole transfer.
inline constexpr int kDocumentTooLarge = 480;    // declared or sent size over the class' document_max_bytes
inline constexpr int kDocumentType = 481;        // not PDF/PNG/JPEG, or the bytes are not the declared type
inline constexpr int kDocumentRole = 482;        // the sender's role may not share_document in this class
inline constexpr int kDocumentIncomplete = 483;  // stopped half-way, out of order, aborted, or wrong SHA-256
inline constexpr int kDataWhileWaiting = 484;    // chat or a document from a participant in the waiting room
inline constexpr int kDocumentBusy = 485;        // the room's document queue is full
inline constexpr int kDocumentMalformed = 486;   // a message that is not a document frame
inline constexpr int kDocumentNotKept = 487;     // the class keeps documents and this one could not be sealed
}  // namespace errc

// A refused join. `reason` is a stable PHI-free slug for events ("replayed_jti"); `verified` says the
// signature was already verified (the token is authentic), and then `iss`/`sub` let the caller
// pseudonymize the subject for the event.
class TokenError : public Error {
public:
    TokenError(int code, std::string reason, const std::string& what) : Error(code, what), reason_(std::move(reason)) {}
    const std::string& reason() const noexcept { return reason_; }
    std::string iss, sub;
    bool verified = false;

private:
    std::string reason_;
};

}  // namespace hipaa::room
