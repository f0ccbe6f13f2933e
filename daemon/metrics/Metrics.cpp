#include "metrics/Metrics.h"

#include <algorithm>
#include <sstream>

namespace lojal {

std::string promLabel(std::string_view name, std::string_view value) {
    std::string out(name);
    out += "=\"";
    for (char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

namespace {

// The methods of RFC 9110 (and PATCH); anything else a client sends is "other".
std::string knownMethod(const std::string& method) {
    static const char* const known[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                        "OPTIONS", "CONNECT", "TRACE", "PATCH"};
    for (const char* name : known) {
        if (method == name) return method;
    }
    return "other";
}

// HELP text: backslash and line feed escaped.
std::string helpText(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

}  // namespace

void HttpMetrics::record(const std::string& route, const std::string& method, int status,
                         double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{route, knownMethod(method), status}];
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
            out << "lojal_http_requests_total{" << promLabel("route", route) << ","
                << promLabel("method", method) << ",status=\"" << status << "\"} " << count << "\n";
        }
        out << "# HELP lojal_http_request_duration_seconds Time from request headers to response "
               "sent, by route.\n# TYPE lojal_http_request_duration_seconds histogram\n";
        for (const auto& [route, histogram] : latency_) {
            const std::string label = promLabel("route", route);
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
            out << "# HELP " << gauge.name << " " << helpText(gauge.help) << "\n# TYPE "
                << gauge.name << " " << gauge.type << "\n";
            previous = gauge.name;
        }
        out << gauge.name;
        if (!gauge.labels.empty()) out << "{" << gauge.labels << "}";
        out << " " << gauge.value << "\n";
    }
    return out.str();
}

}  // namespace lojal
