#include "metrics/Metrics.h"

#include <algorithm>
#include <sstream>

namespace lojal {

void HttpMetrics::record(const std::string& route, const std::string& method, int status,
                         double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{route, method, status}];
    Histogram& histogram = latency_[route];
    for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
        if (seconds <= kBucketsSeconds[i]) ++histogram.buckets[i];
    }
    ++histogram.count;
    histogram.sum += seconds;
}

std::string HttpMetrics::render(const std::vector<Gauge>& gauges) const {
    std::ostringstream out;
    out.precision(10);
    {
        std::lock_guard lock(mutex_);
        out << "# HELP lojal_http_requests_total HTTP requests answered, by route, method and "
               "status.\n# TYPE lojal_http_requests_total counter\n";
        for (const auto& [key, count] : requests_) {
            const auto& [route, method, status] = key;
            out << "lojal_http_requests_total{route=\"" << route << "\",method=\"" << method
                << "\",status=\"" << status << "\"} " << count << "\n";
        }
        out << "# HELP lojal_http_request_duration_seconds Time from request headers to response "
               "sent, by route.\n# TYPE lojal_http_request_duration_seconds histogram\n";
        for (const auto& [route, histogram] : latency_) {
            const std::string label = "route=\"" + route + "\"";
            for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
                out << "lojal_http_request_duration_seconds_bucket{" << label << ",le=\""
                    << kBucketsSeconds[i] << "\"} " << histogram.buckets[i] << "\n";
            }
            out << "lojal_http_request_duration_seconds_bucket{" << label << ",le=\"+Inf\"} "
                << histogram.count << "\n";
            out << "lojal_http_request_duration_seconds_sum{" << label << "} " << histogram.sum
                << "\n";
            out << "lojal_http_request_duration_seconds_count{" << label << "} " << histogram.count
                << "\n";
        }
    }
    // Prometheus wants all samples of a name together, under one HELP/TYPE.
    std::vector<Gauge> sorted = gauges;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Gauge& a, const Gauge& b) { return a.name < b.name; });
    std::string previous;
    for (const Gauge& gauge : sorted) {
        if (gauge.name != previous) {
            out << "# HELP " << gauge.name << " " << gauge.help << "\n# TYPE " << gauge.name << " "
                << gauge.type << "\n";
            previous = gauge.name;
        }
        out << gauge.name;
        if (!gauge.labels.empty()) out << "{" << gauge.labels << "}";
        out << " " << gauge.value << "\n";
    }
    return out.str();
}

}  // namespace lojal
