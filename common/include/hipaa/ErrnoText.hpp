// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The text of an errno value. strerror(3) may hand every thread the same buffer; the standard
// library's generic category returns its own copy.
#include <string>
#include <system_error>

namespace hipaa {

inline std::string errnoText(int error) { return std::generic_category().message(error); }

}  // namespace hipaa
