// SPDX-License-Identifier: GPL-3.0-or-later
#include "EvidenceHtml.hpp"

#include "HtmlText.hpp"
#include "SvgBarChart.hpp"

#include "hipaa/Json.hpp"

#include <sstream>

namespace hipaa::cli {
namespace {

const char* const kStyle =
    "body{font-family:sans-serif;margin:2em;color:#222;max-width:1100px}"
    "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}"
    ".state{display:inline-block;padding:.1em .6em;border-radius:.3em;color:#fff;font-weight:bold}"
    ".pass{background:#2e7d32}.fail,.unchecked{background:#c62828}"
    ".problem{color:#c62828;font-weight:bold}.how{color:#555;font-size:.9em}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.2em .5em;"
    "font-size:.9em;text-align:left}figure{display:inline-block;margin:.5em 1em .5em 0}"
    "figcaption{font-size:.85em;color:#444}";

std::string text(const json_t* o, const char* key) { return HtmlText::escape(jsonString(o, key).value_or("")); }

void section(std::ostringstream& h, const json_t* s) {
    const std::string state = text(s, "state");
    h << "<section id=\"" << text(s, "id") << "\"><h2>" << text(s, "title") << " <span class=\"state " << state << "\">"
      << state << "</span></h2>";
    h << "<p class=\"how\">" << text(s, "how") << "</p>";
    size_t i;
    const json_t* v;
    json_array_foreach(json_object_get(s, "problems"), i, v) {
        h << "<p class=\"problem\">" << HtmlText::escape(json_string_value(v) ? json_string_value(v) : "") << "</p>";
    }
    const json_t* figures = json_object_get(s, "figures");
    if (json_array_size(figures) > 0) {
        h << "<table class=\"figures\">";
        json_array_foreach(figures, i, v) {
            h << "<tr><th>" << text(v, "label") << "</th><td>" << text(v, "value") << "</td></tr>";
        }
        h << "</table>";
    }
    const json_t* rows = json_object_get(s, "rows");
    if (json_array_size(rows) > 0) {
        h << "<table class=\"rows\"><tr>";
        json_array_foreach(json_object_get(s, "columns"), i, v) {
            h << "<th>" << HtmlText::escape(json_string_value(v) ? json_string_value(v) : "") << "</th>";
        }
        h << "</tr>";
        json_array_foreach(rows, i, v) {
            h << "<tr>";
            size_t k;
            const json_t* cell;
            json_array_foreach(v, k, cell) {
                h << "<td>" << HtmlText::escape(json_string_value(cell) ? json_string_value(cell) : "") << "</td>";
            }
            h << "</tr>";
        }
        h << "</table>";
    }
    json_array_foreach(json_object_get(s, "charts"), i, v) { h << SvgBarChart::render(v); }
    h << "</section>";
}

}  // namespace

std::string EvidenceHtml::render(const json_t* report) {
    std::ostringstream h;
    const std::string state = text(report, "state");
    h << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
         "<title>janus-hipaa compliance evidence</title><style>"
      << kStyle << "</style></head><body>";
    h << "<h1>janus-hipaa compliance evidence <span class=\"state " << state << "\">" << state << "</span></h1>";
    h << "<p>Generated " << text(report, "generated") << " by janus-hipaa " << text(report, "tool_version")
      << "; period: the last " << jsonInt(report, "period_days").value_or(0)
      << " days. Every figure below was computed when the report was made, from the running Janus (Admin "
         "API), the audit database and the key files; a check that could not run is red and says why.</p>";
    h << "<table class=\"summary\"><tr><th>check</th><th>state</th></tr>";
    size_t i;
    const json_t* s;
    json_array_foreach(json_object_get(report, "sections"), i, s) {
        h << "<tr><td>" << text(s, "title") << "</td><td><span class=\"state " << text(s, "state") << "\">"
          << text(s, "state") << "</span></td></tr>";
    }
    h << "</table>";
    json_array_foreach(json_object_get(report, "sections"), i, s) { section(h, s); }
    h << "</body></html>\n";
    return h.str();
}

}  // namespace hipaa::cli
