// SPDX-License-Identifier: GPL-3.0-or-later
// Recording files are outside input (disks, buckets, restores): the header parser, the chunk walker
// and the keyring parser must reject anything malformed without crashing.
#include "Keyring.hpp"
#include "RecordingHeader.hpp"
#include "RecordingReader.hpp"
#include "hipaa/Errors.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace hipaa::recorder;
    hipaa::ByteView in(data, size);
    std::string error;
    (void)RecordingHeader::parse(in, error);
    static const hipaa::Bytes key(32, 0x42);
    (void)RecordingReader::readWithKey(in, key, [](uint64_t, hipaa::ByteView) {});
    static const Keyring ring = [] {
        Keyring k;
        k.add(1, Keyring::Type::Kek, hipaa::Bytes(32, 0x17));
        return k;
    }();
    (void)RecordingReader::read(in, ring);
    try {
        (void)Keyring::fromText(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    } catch (const hipaa::Error&) {
    }
    return 0;
}
