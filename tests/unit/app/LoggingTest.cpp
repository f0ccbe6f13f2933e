#define BOOST_TEST_MODULE logging
// Log lines: the text people read, one JSON object a line for machines, and
// the journal's priority prefix.
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>

#include "app/Logging.h"

using namespace lojal;

namespace {

Poco::Message message(const std::string& text, Poco::Message::Priority priority) {
    Poco::Message m("lojal.alerts", text, priority);
    m.setTime(Poco::Timestamp(1'800'000'000'123'000));
    return m;
}

}  // namespace

BOOST_AUTO_TEST_CASE(text_lines_keep_their_shape) {
    const std::string line =
        formatLogLine(message("disk low", Poco::Message::PRIO_WARNING), LogFormat::text, false);
    BOOST_TEST(line == "2027-01-15 08:00:00.123 Warning lojal.alerts: disk low");
}

BOOST_AUTO_TEST_CASE(json_lines_are_one_object_with_every_field) {
    const std::string line = formatLogLine(
        message("a \"quoted\"\nsecond line", Poco::Message::PRIO_ERROR), LogFormat::json, false);
    BOOST_TEST(line.find('\n') == std::string::npos);  // one line, whatever the message
    const auto object = Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(object->getValue<std::string>("time") == "2027-01-15T08:00:00.123Z");
    BOOST_TEST(object->getValue<std::string>("level") == "error");
    BOOST_TEST(object->getValue<std::string>("logger") == "lojal.alerts");
    BOOST_TEST(object->getValue<std::string>("message") == "a \"quoted\"\nsecond line");
    BOOST_TEST(object->has("pid"));
}

BOOST_AUTO_TEST_CASE(the_journal_prefix_carries_the_syslog_priority) {
    const auto prefixed = [](Poco::Message::Priority priority) {
        return formatLogLine(message("x", priority), LogFormat::json, true).substr(0, 3);
    };
    BOOST_TEST(prefixed(Poco::Message::PRIO_FATAL) == "<2>");
    BOOST_TEST(prefixed(Poco::Message::PRIO_ERROR) == "<3>");
    BOOST_TEST(prefixed(Poco::Message::PRIO_WARNING) == "<4>");
    BOOST_TEST(prefixed(Poco::Message::PRIO_NOTICE) == "<5>");
    BOOST_TEST(prefixed(Poco::Message::PRIO_INFORMATION) == "<6>");
    BOOST_TEST(prefixed(Poco::Message::PRIO_TRACE) == "<7>");
    BOOST_TEST(formatLogLine(message("x", Poco::Message::PRIO_WARNING), LogFormat::text, true)
                   .rfind("<4>2027-", 0) == 0u);
}
