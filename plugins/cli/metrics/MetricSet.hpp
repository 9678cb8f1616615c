// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The samples of one scrape, checked against MetricCatalog as they are added: an unknown metric, a
// missing or extra label, or a label value the catalog does not allow throws std::logic_error (a
// defect of the collector, never of the data: the collector folds plugin-provided words with
// MetricCatalog::fold first). So nothing outside the catalog's fixed words reaches a label.
#include "MetricFamily.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hipaa::metrics {

class MetricSet {
public:
    // Labels in any order; they are stored in the catalog's order.
    void set(std::string_view name, const Labels& labels, double value);  // replaces the series' value
    void add(std::string_view name, const Labels& labels, double value);  // adds to it (0 when new)
    bool has(std::string_view name) const { return families_.count(std::string(name)) > 0; }
    // In catalog order (docs/metrics.md's order), each family's samples in the order first set.
    std::vector<MetricFamily> families() const;

private:
    double& series(std::string_view name, const Labels& labels);
    std::map<std::string, MetricFamily, std::less<>> families_;
};

}  // namespace hipaa::metrics
