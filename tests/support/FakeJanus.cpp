// SPDX-License-Identifier: GPL-3.0-or-later
#include "FakeJanus.hpp"

#include "hipaa/glue/JanusAbi.hpp"

extern "C" {
#include <rtp.h>
#include <sdp-utils.h>
}

#include <cstdarg>
#include <mutex>

namespace hipaa::test {
bool fakeWebrtcEncryption = true;
}  // namespace hipaa::test

namespace {
std::mutex gLogMutex;
std::vector<std::string> gLog;
char gPrefix[] = "";
}  // namespace

extern "C" {
int janus_log_level = LOG_DBG;
gboolean janus_log_timestamps = FALSE;
gboolean janus_log_colors = FALSE;
char* janus_log_global_prefix = gPrefix;
int refcount_debug = 0;

// janus.c exports this (not in the installed headers); the room plugin refuses to start without it.
gboolean janus_is_webrtc_encryption_enabled(void) { return hipaa::test::fakeWebrtcEncryption ? TRUE : FALSE; }

void janus_vprintf(const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    char* s = g_strdup_vprintf(format, ap);
    va_end(ap);
    std::lock_guard lock(gLogMutex);
    gLog.emplace_back(s);
    g_free(s);
}

janus_plugin_result* janus_plugin_result_new(janus_plugin_result_type type, const char* text, json_t* content) {
    auto* r = static_cast<janus_plugin_result*>(g_malloc(sizeof(janus_plugin_result)));
    r->type = type;
    r->text = text;
    r->content = content;
    return r;
}

void janus_plugin_result_destroy(janus_plugin_result* r) {
    if (!r) return;
    if (r->content) json_decref(r->content);
    g_free(r);
}

// sdp-utils: the glue tests drive no SDP (unit tests fake SdpEngine; real SDP is tested with the real
// gateway). Parsing fails, so a test that reached here by mistake sees error 460, not a crash.
janus_sdp* janus_sdp_parse(const char*, char* error, size_t errlen) {
    if (error && errlen) g_strlcpy(error, "no SDP in the fake gateway", errlen);
    return nullptr;
}
janus_sdp* janus_sdp_generate_answer(janus_sdp*) { return nullptr; }
int janus_sdp_generate_answer_mline(janus_sdp*, janus_sdp*, janus_sdp_mline*, ...) { return -1; }
janus_sdp* janus_sdp_generate_offer(const char*, const char*, ...) { return nullptr; }
int janus_sdp_generate_offer_mline(janus_sdp*, ...) { return -1; }
janus_sdp_mline* janus_sdp_mline_find_by_index(janus_sdp*, int) { return nullptr; }
int janus_sdp_get_codec_pt(janus_sdp*, int, const char*) { return -1; }
const char* janus_sdp_get_fmtp(janus_sdp*, int, int) { return nullptr; }
char* janus_sdp_get_video_profile(janus_videocodec, const char*) { return nullptr; }
char* janus_sdp_write(janus_sdp*) { return nullptr; }
void janus_sdp_destroy(janus_sdp*) {}
int janus_rtp_extension_id(const char*) { return 0; }

// Like the core's: every extension "not set".
void janus_plugin_rtp_extensions_reset(janus_plugin_rtp_extensions* e) {
    if (!e) return;
    *e = janus_plugin_rtp_extensions{};
    e->audio_level = -1;
    e->video_rotation = -1;
    e->min_delay = -1;
    e->max_delay = -1;
}
}

namespace hipaa::test {

std::vector<std::string> janusLogLines() {
    std::lock_guard lock(gLogMutex);
    return gLog;
}

std::string janusLogText() {
    std::string all;
    for (const auto& l : janusLogLines()) all += l;
    return all;
}

void clearJanusLog() {
    std::lock_guard lock(gLogMutex);
    gLog.clear();
}

}  // namespace hipaa::test
