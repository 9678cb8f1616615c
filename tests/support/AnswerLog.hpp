// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// With HIPAA_ANSWER_LOG=FILE set, every plugin answer a test receives through JanusClient is appended
// to FILE as one JSON line: the request, which API and plugin, and the answer (or a pushed event), for
// tests/api/validate-answers.mjs, which checks each against docs/api/*.answers.schema.json. Tests send
// fake data only, so the file holds no PHI. Without the variable nothing is written.
#include "hipaa/Json.hpp"

namespace hipaa::test {

class AnswerLog {
public:
    static bool enabled();
    // Appends `record` as one line (one write(2) on an O_APPEND descriptor: whole lines, even with
    // several writers).
    static void write(const json_t* record);
    // Empties the file (the start of a run that owns it).
    static void restart();
};

}  // namespace hipaa::test
