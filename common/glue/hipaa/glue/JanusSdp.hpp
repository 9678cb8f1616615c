// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SdpEngine on Janus' sdp-utils (glue only: the functions live in the janus executable).
#include "hipaa/Errors.hpp"
#include "hipaa/Sdp.hpp"
#include "hipaa/glue/JanusAbi.hpp"

extern "C" {
#include <rtp.h>
#include <sdp-utils.h>
}

#include <memory>

namespace hipaa::glue {

class JanusSdp final : public SdpEngine {
public:
    std::string answerPublisher(const std::string& offerText, const SdpPolicy& policy,
                                std::vector<SdpMedia>& media) override {
        char error[256] = {0};
        SdpPtr offer(janus_sdp_parse(offerText.c_str(), error, sizeof(error)));
        if (!offer) throw RequestError(errc::kInvalidField, std::string("the offer does not parse: ") + error);
        SdpPtr answer(janus_sdp_generate_answer(offer.get()));
        if (!answer) throw RequestError(errc::kInvalidField, "no answer could be generated for the offer");
        media.clear();
        for (GList* l = offer->m_lines; l; l = l->next) {
            auto* m = static_cast<janus_sdp_mline*>(l->data);
            SdpMedia sm;
            sm.mindex = m->index;
            sm.mid = midOf(m);
            bool sending = m->port > 0 && (m->direction == JANUS_SDP_DEFAULT || m->direction == JANUS_SDP_SENDRECV ||
                                           m->direction == JANUS_SDP_SENDONLY);
            if (m->type == JANUS_SDP_AUDIO) {
                sm.type = SdpMedia::Type::Audio;
                sm.codec = pick(offer.get(), m->index, policy.audioCodecs);
                if (sm.codec.empty())
                    refuse(offer.get(), answer.get(), m);
                else
                    janus_sdp_generate_answer_mline(
                        offer.get(), answer.get(), m, JANUS_SDP_OA_MLINE, JANUS_SDP_AUDIO, JANUS_SDP_OA_DIRECTION,
                        sending ? JANUS_SDP_RECVONLY : JANUS_SDP_INACTIVE, JANUS_SDP_OA_CODEC, sm.codec.c_str(),
                        JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_MID, JANUS_SDP_OA_ACCEPT_EXTMAP,
                        JANUS_RTP_EXTMAP_TRANSPORT_WIDE_CC, JANUS_SDP_OA_DONE);
            } else if (m->type == JANUS_SDP_VIDEO) {
                sm.type = SdpMedia::Type::Video;
                sm.codec = pick(offer.get(), m->index, policy.videoCodecs);
                if (sm.codec.empty())
                    refuse(offer.get(), answer.get(), m);
                else
                    janus_sdp_generate_answer_mline(
                        offer.get(), answer.get(), m, JANUS_SDP_OA_MLINE, JANUS_SDP_VIDEO, JANUS_SDP_OA_DIRECTION,
                        sending ? JANUS_SDP_RECVONLY : JANUS_SDP_INACTIVE, JANUS_SDP_OA_CODEC, sm.codec.c_str(),
                        JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_MID, JANUS_SDP_OA_ACCEPT_EXTMAP,
                        JANUS_RTP_EXTMAP_TRANSPORT_WIDE_CC, JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_ABS_SEND_TIME,
                        JANUS_SDP_OA_DONE);
                if (janus_sdp_mline* a = janus_sdp_mline_find_by_index(answer.get(), m->index);
                    a && policy.videoBitrateBps > 0 && !sm.codec.empty()) {
                    g_free(a->b_name);
                    a->b_name = g_strdup("AS");
                    a->b_value = policy.videoBitrateBps / 1000;
                }
            } else if (m->type == JANUS_SDP_APPLICATION) {
                sm.type = SdpMedia::Type::Data;
                if (policy.data)
                    janus_sdp_generate_answer_mline(offer.get(), answer.get(), m, JANUS_SDP_OA_MLINE,
                                                    JANUS_SDP_APPLICATION, JANUS_SDP_OA_DONE);
                else
                    refuse(offer.get(), answer.get(), m);
                sm.active = policy.data && m->port > 0;
            }  // other m-lines stay as generate_answer left them: disabled
            if (!sm.codec.empty()) {
                // The answer keeps the offer's payload type; a profile the browser fixed is kept too.
                sm.payloadType = janus_sdp_get_codec_pt(answer.get(), m->index, sm.codec.c_str());
                if (sm.codec == "h264" || sm.codec == "vp9") {
                    const char* fmtp = janus_sdp_get_fmtp(answer.get(), m->index, sm.payloadType);
                    janus_videocodec vc = sm.codec == "h264" ? JANUS_VIDEOCODEC_H264 : JANUS_VIDEOCODEC_VP9;
                    if (fmtp)
                        if (char* prof = janus_sdp_get_video_profile(vc, fmtp)) {
                            sm.profile = prof;
                            g_free(prof);
                        }
                }
                sm.active = sending && sm.payloadType >= 0;
            }
            media.push_back(std::move(sm));
        }
        return write(answer.get());
    }

    std::string offerSubscriber(const std::string& name, const std::vector<SdpMedia>& media,
                                uint64_t version) override {
        SdpPtr offer(janus_sdp_generate_offer(name.c_str(), "0.0.0.0", JANUS_SDP_OA_DONE));
        if (!offer) throw Error(errc::kInternal, "no offer could be generated");
        for (const auto& m : media) {
            const char* codec = m.codec.empty() ? nullptr : m.codec.c_str();
            bool video = m.type == SdpMedia::Type::Video;
            const char* prof = m.profile.empty() ? nullptr : m.profile.c_str();
            janus_sdp_generate_offer_mline(
                offer.get(), JANUS_SDP_OA_MLINE, mtype(m.type), JANUS_SDP_OA_MID, m.mid.c_str(), JANUS_SDP_OA_PT,
                m.type == SdpMedia::Type::Data ? -1 : m.payloadType, JANUS_SDP_OA_CODEC, codec,
                JANUS_SDP_OA_H264_PROFILE, video && m.codec == "h264" ? prof : nullptr, JANUS_SDP_OA_VP9_PROFILE,
                video && m.codec == "vp9" ? prof : nullptr, JANUS_SDP_OA_DIRECTION,
                m.active ? JANUS_SDP_SENDONLY : JANUS_SDP_INACTIVE, JANUS_SDP_OA_EXTENSION, JANUS_RTP_EXTMAP_MID,
                janus_rtp_extension_id(JANUS_RTP_EXTMAP_MID), JANUS_SDP_OA_EXTENSION,
                JANUS_RTP_EXTMAP_TRANSPORT_WIDE_CC, janus_rtp_extension_id(JANUS_RTP_EXTMAP_TRANSPORT_WIDE_CC),
                JANUS_SDP_OA_EXTENSION, JANUS_RTP_EXTMAP_ABS_SEND_TIME,
                video ? janus_rtp_extension_id(JANUS_RTP_EXTMAP_ABS_SEND_TIME) : 0, JANUS_SDP_OA_DONE);
        }
        offer->o_version = version;
        return write(offer.get());
    }

    bool parses(const std::string& sdp, std::string& error) override {
        char err[256] = {0};
        SdpPtr parsed(janus_sdp_parse(sdp.c_str(), err, sizeof(err)));
        if (!parsed) error = err;
        return parsed != nullptr;
    }

private:
    struct SdpFree {
        void operator()(janus_sdp* s) const noexcept { janus_sdp_destroy(s); }
    };
    using SdpPtr = std::unique_ptr<janus_sdp, SdpFree>;

    static std::string write(janus_sdp* sdp) {
        std::unique_ptr<char, decltype(&g_free)> text(janus_sdp_write(sdp), &g_free);
        if (!text) throw Error(errc::kInternal, "SDP could not be written");
        return text.get();
    }
    // A refused m-line: port 0 (it stays in the answer, as the m-line count must match).
    static void refuse(janus_sdp* offer, janus_sdp* answer, janus_sdp_mline* m) {
        janus_sdp_generate_answer_mline(offer, answer, m, JANUS_SDP_OA_MLINE, m->type, JANUS_SDP_OA_ENABLED, FALSE,
                                        JANUS_SDP_OA_DONE);
    }
    static std::string midOf(janus_sdp_mline* m) {
        for (GList* a = m->attributes; a; a = a->next) {
            auto* attr = static_cast<janus_sdp_attribute*>(a->data);
            if (attr->name && attr->value && std::string_view(attr->name) == "mid") return attr->value;
        }
        return std::to_string(m->index);
    }
    static std::string pick(janus_sdp* offer, int index, const std::vector<std::string>& allowed) {
        for (const auto& c : allowed)
            if (janus_sdp_get_codec_pt(offer, index, c.c_str()) >= 0) return c;
        return {};
    }
    static janus_sdp_mtype mtype(SdpMedia::Type t) {
        switch (t) {
            case SdpMedia::Type::Audio:
                return JANUS_SDP_AUDIO;
            case SdpMedia::Type::Video:
                return JANUS_SDP_VIDEO;
            case SdpMedia::Type::Data:
                return JANUS_SDP_APPLICATION;
            default:
                return JANUS_SDP_OTHER;
        }
    }
};

}  // namespace hipaa::glue
