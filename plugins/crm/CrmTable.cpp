#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <charconv>

#include "CrmConnector.h"
#include "rest/RestConnector.h"

namespace lojal::crm {

const std::map<std::string, ConnectorEntry>& connectorTable() {
    static const std::map<std::string, ConnectorEntry> table = {
        {"rest", {"rest", createRestConnector}},
    };
    return table;
}

int parseRetryAfter(const std::string& value) {
    int seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc() && end == value.data() + value.size()) return std::max(0, seconds);
    try {
        int zone = 0;
        const Poco::DateTime when = Poco::DateTimeParser::parse(value, zone);
        const auto delta = (when.timestamp() - Poco::Timestamp()) / Poco::Timestamp::resolution();
        return static_cast<int>(std::max<Poco::Timestamp::TimeDiff>(0, delta));
    } catch (const Poco::Exception&) {
        return 0;
    }
}

}  // namespace lojal::crm
