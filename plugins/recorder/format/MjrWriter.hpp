// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Writes Janus' structured recording format (.mjr, "MJR00002"), the input of janus-pp-rec:
//   "MJR00002" | u16 BE length | JSON info {"t":"a"|"v","c":codec,"s":created µs,"u":first packet µs}
//   then per packet: "MEET" | u32 BE ms since the first packet | u16 BE length | RTP packet.
// The file is created with mode 0600 and must not exist yet. Frames are written in pieces of about
// 64 KB (not one write per packet); finish() writes the rest.
#include "RecordingHeader.hpp"
#include "UniqueFd.hpp"

#include <string>

namespace hipaa::recorder {

class MjrWriter {
public:
    MjrWriter(const std::string& path, StreamKind kind, std::string codec, uint64_t createdUs);
    ~MjrWriter();  // wipes the buffered (decrypted) frames
    MjrWriter(const MjrWriter&) = delete;
    MjrWriter& operator=(const MjrWriter&) = delete;
    void write(uint64_t arrivalUs, ByteView packet);
    // fsyncs and closes; returns the number of packets written.
    uint64_t finish();

private:
    static constexpr size_t kFlushBytes = 1 << 16;
    void flush();

    UniqueFd fd_;
    StreamKind kind_;
    std::string codec_;
    uint64_t createdUs_ = 0, firstUs_ = 0, packets_ = 0;
    Bytes buffer_;
};

}  // namespace hipaa::recorder
