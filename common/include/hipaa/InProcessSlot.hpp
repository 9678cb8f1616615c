// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Where one plugin offers a typed C++ interface to the other plugins of the same Janus process (the
// recorder's RecordingSink, the audit handler's AuditHealthProbe). Each interface's slot lives in
// libhipaa_common.so (one per process, like the VisitBus).
//
// The provider registers itself at init and withdraws first thing in its destructor. A caller reaches
// the provider only through a Lease, which holds the slot's shared lock: withdraw() waits for every
// lease in flight, so no pointer to the provider (nor a call into its shared object's code) outlives
// the withdraw. Control and recording threads only: never a Janus media thread.
#include <mutex>
#include <shared_mutex>
#include <string>

#include "hipaa/Errors.hpp"

namespace hipaa {

template <typename Interface>
class InProcessSlot {
public:
    // The provider while the lease lives; empty (false) when none is registered.
    class Lease {
    public:
        explicit operator bool() const { return provider_ != nullptr; }
        Interface* operator->() const { return provider_; }
        Interface& operator*() const { return *provider_; }

    private:
        friend class InProcessSlot;
        explicit Lease(const InProcessSlot& slot) : lock_(slot.mutex_), provider_(slot.provider_) {}
        std::shared_lock<std::shared_mutex> lock_;
        Interface* provider_;
    };

    explicit InProcessSlot(std::string name) : name_(std::move(name)) {}
    InProcessSlot(const InProcessSlot&) = delete;
    InProcessSlot& operator=(const InProcessSlot&) = delete;

    // Replaces any earlier provider (after the leases on it ended).
    void provide(Interface& provider) {
        std::unique_lock lock(mutex_);
        provider_ = &provider;
    }
    // Removes `provider` if it is the one registered; returns after every lease in flight ended.
    void withdraw(const Interface& provider) {
        std::unique_lock lock(mutex_);
        if (provider_ == &provider) provider_ = nullptr;
    }
    Lease acquire() const { return Lease(*this); }
    // The lease, or Error(errc::kPluginUnavailable) naming the plugin when nothing is registered.
    Lease require() const {
        Lease lease(*this);
        if (!lease) throw Error(errc::kPluginUnavailable, name_ + " is not loaded in this process");
        return lease;
    }
    bool available() const { return static_cast<bool>(acquire()); }
    const std::string& name() const { return name_; }

private:
    const std::string name_;  // the providing plugin's package, for errors
    mutable std::shared_mutex mutex_;
    Interface* provider_ = nullptr;
};

}  // namespace hipaa
