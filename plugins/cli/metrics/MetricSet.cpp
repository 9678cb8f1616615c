// SPDX-License-Identifier: GPL-3.0-or-later
#include "MetricSet.hpp"

#include "MetricCatalog.hpp"

#include <stdexcept>

namespace hipaa::metrics {

double& MetricSet::series(std::string_view name, const Labels& labels) {
    const MetricDef* def = MetricCatalog::find(name);
    if (!def) throw std::logic_error("metric not in the catalog: " + std::string(name));
    if (labels.size() != def->labels.size()) throw std::logic_error("wrong labels for " + std::string(name));
    Labels ordered;
    for (const LabelDef& l : def->labels) {
        const std::string* value = nullptr;
        for (const auto& [k, v] : labels)
            if (k == l.name) value = &v;
        if (!value) throw std::logic_error(std::string(name) + ": missing label " + std::string(l.name));
        if (!MetricCatalog::allowed(l, *value))
            throw std::logic_error(std::string(name) + ": value not allowed for label " + std::string(l.name));
        ordered.emplace_back(std::string(l.name), *value);
    }
    auto it = families_.find(name);
    if (it == families_.end()) {
        MetricFamily f{std::string(def->name), def->type, std::string(def->help), {}};
        it = families_.emplace(f.name, std::move(f)).first;
    }
    for (Sample& s : it->second.samples)
        if (s.labels == ordered) return s.value;
    it->second.samples.push_back(Sample{std::move(ordered), 0});
    return it->second.samples.back().value;
}

void MetricSet::set(std::string_view name, const Labels& labels, double value) { series(name, labels) = value; }

void MetricSet::add(std::string_view name, const Labels& labels, double value) { series(name, labels) += value; }

std::vector<MetricFamily> MetricSet::families() const {
    std::vector<MetricFamily> out;
    for (const MetricDef& d : MetricCatalog::all())
        if (auto it = families_.find(d.name); it != families_.end()) out.push_back(it->second);
    return out;
}

}  // namespace hipaa::metrics
