// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A subscriber handle: opened with an admitted participant's private_id, it receives streams of the
// room's publishers. Belongs to that participant (its `owner`) and goes when the owner's media goes.
#include "hipaa/Sdp.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hipaa::room {

struct Subscriber {
    // One m-line of this handle's offer.
    struct Stream {
        SdpMedia media;  // mindex/mid of this subscriber handle; codec/pt of the feed
        std::string feed, feedMid;
        int pubMindex = 0;
        bool send = true;
    };

    std::string room, owner;  // owner: the participant id whose private_id opened it
    std::vector<Stream> streams;
    uint64_t version = 0;  // of the last offer
    bool e2ee = false;
};

}  // namespace hipaa::room
