#pragma once
// Request counters and latency histograms for GET /metrics (Prometheus text format).
// Labels are route templates (or "unmatched"), never raw paths, and the methods
// HTTP defines (or "other"), never what a client made up: no client can grow the
// label set. Every label value is escaped (promLabel), so no value can break the
// exposition.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace lojal {

// name="value" with the value escaped as the text format asks: \\, \" and \n.
std::string promLabel(std::string_view name, std::string_view value);

// One sample: a gauge (or a counter kept elsewhere), with optional labels
// built with promLabel, such as `device="scanner-1"`, joined by commas. Samples
// of one name are rendered under one header.
struct Gauge {
    Gauge(std::string name_, std::string help_, double value_, std::string labels_ = "",
          std::string type_ = "gauge")
        : name(std::move(name_)),
          help(std::move(help_)),
          value(value_),
          labels(std::move(labels_)),
          type(std::move(type_)) {}
    std::string name;
    std::string help;
    double value;
    std::string labels;
    std::string type;
};

class HttpMetrics {
  public:
    static constexpr std::array<double, 12> kBucketsSeconds = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

    void record(const std::string& route, const std::string& method, int status, double seconds);
    // The whole exposition: request counters, histograms, then the given gauges.
    std::string render(const std::vector<Gauge>& gauges) const;

  private:
    struct Histogram {
        std::array<uint64_t, kBucketsSeconds.size()> buckets{};
        uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
    std::map<std::string, Histogram> latency_;
};

}  // namespace lojal
