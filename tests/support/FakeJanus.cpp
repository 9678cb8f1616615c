#include "FakeJanus.hpp"

#include "hipaa/glue/JanusAbi.hpp"

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
