// SPDX-License-Identifier: GPL-3.0-or-later
#include "BundleNotes.hpp"

#include "hipaa/Encoding.hpp"

namespace hipaa::fhir {

std::vector<BundleNotes::Note> BundleNotes::read(const json_t* bundle) {
    std::vector<Note> out;
    size_t i;
    json_t* entry;
    json_array_foreach(json_object_get(bundle, "entry"), i, entry) {
        const json_t* r = json_object_get(entry, "resource");
        if (jsonString(r, "resourceType").value_or("") != "DocumentReference") continue;
        const json_t* attachment = json_object_get(json_array_get(json_object_get(r, "content"), 0), "attachment");
        std::string type(jsonString(attachment, "contentType").value_or(""));
        auto data = jsonString(attachment, "data");
        if (!data || type.rfind("text/plain", 0) != 0) continue;
        auto text = base64Decode(*data);
        if (!text) continue;
        Note n;
        n.noteId = jsonString(json_array_get(json_object_get(r, "identifier"), 0), "value").value_or("");
        n.text.assign(text->begin(), text->end());
        out.push_back(std::move(n));
    }
    return out;
}

}  // namespace hipaa::fhir
