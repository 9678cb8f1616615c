#pragma once
// Writes Janus' structured recording format (.mjr, "MJR00002"), the input of janus-pp-rec:
//   "MJR00002" | u16 BE length | JSON info {"t":"a"|"v","c":codec,"s":created µs,"u":first packet µs}
//   then per packet: "MEET" | u32 BE ms since the first packet | u16 BE length | RTP packet.
// The file is created with mode 0600 and must not exist yet.
#include "RecordingHeader.hpp"
#include "UniqueFd.hpp"

#include <string>

namespace hipaa::recorder {

class MjrWriter {
public:
    MjrWriter(const std::string& path, StreamKind kind, std::string codec, uint64_t createdUs);
    void write(uint64_t arrivalUs, ByteView packet);
    // fsyncs and closes; returns the number of packets written.
    uint64_t finish();

private:
    UniqueFd fd_;
    StreamKind kind_;
    std::string codec_;
    uint64_t createdUs_ = 0, firstUs_ = 0, packets_ = 0;
    Bytes buffer_;
};

}  // namespace hipaa::recorder
