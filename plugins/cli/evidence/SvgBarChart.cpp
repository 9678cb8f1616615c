// SPDX-License-Identifier: GPL-3.0-or-later
#include "SvgBarChart.hpp"

#include "HtmlText.hpp"

#include "hipaa/Json.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace hipaa::cli {
namespace {

constexpr int kBarWidth = 28, kGap = 8, kHeight = 140, kTop = 24, kBottom = 80, kLeft = 8, kRight = 72;

std::string number(double v) {
    std::ostringstream s;
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
        s << static_cast<long long>(v);
    else
        s << v;
    return s.str();
}

}  // namespace

std::string SvgBarChart::render(const json_t* chart) {
    const json_t* bars = json_object_get(chart, "bars");
    const std::string title = HtmlText::escape(jsonString(chart, "title").value_or(""));
    const size_t n = json_array_size(bars);
    double max = 0;
    size_t i;
    const json_t* b;
    json_array_foreach(bars, i, b) {
        double v = json_number_value(json_object_get(b, "value"));
        if (std::isfinite(v)) max = std::max(max, v);
    }
    const int width = kLeft + kRight + static_cast<int>(std::max<size_t>(n, 1)) * (kBarWidth + kGap);
    std::ostringstream s;
    s << "<figure><svg role=\"img\" width=\"" << width << "\" height=\"" << kTop + kHeight + kBottom
      << "\" aria-label=\"" << title << "\">";
    s << "<line x1=\"" << kLeft << "\" y1=\"" << kTop + kHeight << "\" x2=\"" << width - kRight << "\" y2=\""
      << kTop + kHeight << "\" stroke=\"#555\"/>";
    json_array_foreach(bars, i, b) {
        const double raw = json_number_value(json_object_get(b, "value"));
        const double v = std::isfinite(raw) && raw > 0 ? raw : 0;
        const int h = max > 0 ? static_cast<int>(std::lround(v / max * kHeight)) : 0;
        const int x = kLeft + static_cast<int>(i) * (kBarWidth + kGap);
        const std::string label = HtmlText::escape(jsonString(b, "label").value_or(""));
        s << "<rect x=\"" << x << "\" y=\"" << kTop + kHeight - h << "\" width=\"" << kBarWidth << "\" height=\"" << h
          << "\" fill=\"#3a6ea5\"><title>" << label << ": " << number(raw) << "</title></rect>";
        s << "<text x=\"" << x + kBarWidth / 2 << "\" y=\"" << kTop + kHeight - h - 4
          << "\" font-size=\"10\" text-anchor=\"middle\">" << number(raw) << "</text>";
        s << "<text font-size=\"10\" transform=\"translate(" << x + kBarWidth / 2 << ',' << kTop + kHeight + 10
          << ") rotate(45)\">" << label << "</text>";
    }
    if (n == 0)
        s << "<text x=\"" << kLeft << "\" y=\"" << kTop + kHeight / 2
          << "\" font-size=\"12\">none in the period</text>";
    s << "</svg><figcaption>" << title << "</figcaption></figure>";
    return s.str();
}

}  // namespace hipaa::cli
