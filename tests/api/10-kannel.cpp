#define BOOST_TEST_MODULE api_kannel
// The sign-up SMS through a real Kannel from Debian: bearerbox with a fake SMSC,
// fakesmsc playing the operator, smsbox serving sendsms, all on loopback ports.
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>

#include "LojaldProcess.h"

using namespace lojal::test;

namespace {

const std::string kSecret = "test-signup-secret-0123456789abcdef-xyz";

struct KannelPorts {
    int admin = freePort();
    int smsbox = freePort();
    int smsc = freePort();
    int sendsms = freePort();
};

std::string kannelConfig(const TempDir& dir, const KannelPorts& ports) {
    return "group = core\nadmin-port = " + std::to_string(ports.admin) +
           "\nadmin-password = adminpass\nsmsbox-port = " + std::to_string(ports.smsbox) +
           "\nadmin-allow-ip = \"127.0.0.1\"\nbox-allow-ip = \"127.0.0.1\"\nlog-file = \"" +
           dir.file("bearerbox.log") +
           "\"\nlog-level = 0\ndlr-storage = internal\n\n"
           "group = smsc\nsmsc = fake\nsmsc-id = fake\nport = " +
           std::to_string(ports.smsc) +
           "\nconnect-allow-ip = \"127.0.0.1\"\n\n"
           "group = smsbox\nbearerbox-host = 127.0.0.1\nbearerbox-port = " +
           std::to_string(ports.smsbox) + "\nsendsms-port = " + std::to_string(ports.sendsms) +
           "\nsendsms-interface = 127.0.0.1\nlog-file = \"" + dir.file("smsbox.log") +
           "\"\nlog-level = 0\n\n"
           "group = sendsms-user\nusername = lojal\npassword = kannel-pass\nmax-messages = "
           "3\nconcatenation = true\n";
}

std::string smsState(int port, int64_t signupId) {
    const auto result =
        httpRequest(port, "GET", "/v1/signups/" + std::to_string(signupId), kPosToken);
    if (result.status != 200) return "";
    Poco::JSON::Parser parser;
    return parser.parse(result.body)
        .extract<Poco::JSON::Object::Ptr>()
        ->getValue<std::string>("status");
}

}  // namespace

BOOST_AUTO_TEST_CASE(signup_sms_reaches_fakesmsc_and_the_delivery_report_comes_back) {
    TempDir dir;
    KannelPorts ports;
    dir.write("kannel.conf", kannelConfig(dir, ports));
    ChildProcess bearerbox("/usr/sbin/bearerbox", {dir.file("kannel.conf")}, dir.path());
    BOOST_REQUIRE_MESSAGE(bearerbox.waitForOutput("sms_router"), bearerbox.output());
    ChildProcess operatorSide(
        "/usr/lib/kannel/test/fakesmsc",
        {"-H", "127.0.0.1", "-r", std::to_string(ports.smsc), "-i", "1", "-m", "0", "1 2 text x"},
        dir.path());
    ChildProcess smsbox("/usr/sbin/smsbox", {dir.file("kannel.conf")}, dir.path());
    BOOST_REQUIRE_MESSAGE(smsbox.waitForOutput("sendsms_thread"), smsbox.output());

    const int port = freePort();
    const std::string config = writeTestConfig(
        dir, port,
        "[store]\nid = store-9\nname = Rusta\n[signup]\nbase_url = "
        "https://join.example.com\nsecret = " +
            kSecret +
            "\n[sms]\ngateway = kannel\nurl = http://127.0.0.1:" + std::to_string(ports.sendsms) +
            "\nusername = lojal\npassword = kannel-pass\nsender = Rusta\ndlr_base_url = "
            "http://127.0.0.1:" +
            std::to_string(port) + "\n");
    LojaldProcess lojald({"--config", config}, dir.path());
    BOOST_REQUIRE_MESSAGE(lojald.waitUntilReady(), lojald.output());

    const auto created =
        httpRequest(port, "POST", "/v1/signups", kPosToken,
                    "{\"phone\":\"070-123 45 67\",\"cashier_id\":\"c-1\",\"register_id\":\"r-1\","
                    "\"consent\":{\"marketing_sms\":true,\"terms_version\":\"2026-01\","
                    "\"text_shown\":\"Ja tack\"}}");
    BOOST_REQUIRE_EQUAL(created.status, 202);
    Poco::JSON::Parser parser;
    const int64_t id = parser.parse(created.body)
                           .extract<Poco::JSON::Object::Ptr>()
                           ->getValue<int64_t>("signup_id");

    // fakesmsc prints what the operator received: sender, number, text.
    BOOST_REQUIRE_MESSAGE(
        operatorSide.waitForOutput("Got message 1: <Rusta +46701234567 text Hej! Välkommen till "
                                   "Rustas kundklubb. Bli medlem här: https://join.example.com/j/",
                                   20s),
        operatorSide.output());
    // Kannel's delivery report (type 1) arrives at /v1/sms/dlr and settles the state.
    BOOST_REQUIRE(eventually([&] { return smsState(port, id) == "delivered"; }, 20s));
    // Once the worker has recorded Kannel's "accepted", the state must still say delivered.
    BOOST_REQUIRE(eventually([&] {
        return httpRequest(port, "GET", "/metrics", kAdminToken)
                   .body.find("lojal_sms_total{outcome=\"sent\"} 1\n") != std::string::npos;
    }));
    BOOST_TEST(smsState(port, id) == "delivered");
}
