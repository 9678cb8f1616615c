// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Read-copy-update for the media path: many readers (Janus' media threads) read immutable snapshots
// through plain atomic pointers without a lock, an allocation or a reference count; writers (control
// threads) publish a new snapshot, retire the old one, and it is freed once no reader can still hold it.
//
// Readers announce themselves in one of two epoch counters (striped by thread over cache lines); a
// reader re-checks the epoch after counting itself, so it is either seen by the writer or sees what
// the writer published. reclaim() frees what was retired before the last epoch flip once the other
// epoch's readers are gone, then flips again if more waits; it never waits itself. Objects are freed
// on the thread calling reclaim() (the room worker's tick), never on a media thread.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace hipaa::room {

class RcuDomain {
public:
    RcuDomain() = default;
    RcuDomain(const RcuDomain&) = delete;
    RcuDomain& operator=(const RcuDomain&) = delete;
    ~RcuDomain();  // frees everything retired (readers must be gone: the owner is being destroyed)

    // A reader's critical section: snapshots loaded inside it stay valid until it ends. Cheap (two
    // atomic adds on a counter shared only with threads of the same stripe), wait-free but for a retry
    // when it races an epoch flip; never blocks.
    class ReadSection {
    public:
        ReadSection(const ReadSection&) = delete;
        ReadSection& operator=(const ReadSection&) = delete;
        ~ReadSection() { count_->fetch_sub(1, std::memory_order_release); }

    private:
        friend class RcuDomain;
        explicit ReadSection(std::atomic<uint64_t>* count) noexcept : count_(count) {}
        std::atomic<uint64_t>* count_;
    };
    [[nodiscard]] ReadSection read() const noexcept;

    // Writers, after unpublishing `garbage` (storing a new pointer where readers find it): it is freed
    // by a later reclaim(). Any thread, media threads included (no free happens here).
    void retire(std::shared_ptr<const void> garbage);
    // Frees what no reader can hold any more; returns how many objects it released. Never waits.
    size_t reclaim();
    // Waits (sleeping) until everything retired so far is freed.
    void synchronize();
    size_t pending() const;

private:
    static constexpr size_t kStripes = 16;
    struct alignas(64) Counter {
        std::atomic<uint64_t> readers{0};
    };
    uint64_t readers(unsigned parity) const noexcept;

    alignas(64) std::atomic<uint64_t> epoch_{0};
    mutable Counter counts_[2][kStripes];
    mutable std::mutex mutex_;                             // writers only: retire/reclaim bookkeeping
    std::vector<std::shared_ptr<const void>> beforeFlip_;  // retired before the last flip
    std::vector<std::shared_ptr<const void>> sinceFlip_;   // retired since
};

}  // namespace hipaa::room
