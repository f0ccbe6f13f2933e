#define BOOST_TEST_MODULE lojalctl
// lojalctl's command line and output (pure), and the tokens file format.
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>

#include "api/Auth.h"
#include "ctl/CtlCommand.h"
#include "ctl/CtlOutput.h"

using namespace lojal;
using namespace lojal::ctl;

namespace {

Invocation parsed(const std::vector<std::string>& args) {
    const ParseOutcome outcome = parseCommandLine(args);
    BOOST_REQUIRE_MESSAGE(outcome.invocation.has_value(), outcome.error);
    return *outcome.invocation;
}

std::string refused(const std::vector<std::string>& args) {
    const ParseOutcome outcome = parseCommandLine(args);
    BOOST_REQUIRE(!outcome.invocation.has_value());
    return outcome.error;
}

Poco::JSON::Object::Ptr json(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(global_options_go_anywhere_and_commands_take_their_own) {
    Invocation in =
        parsed({"--json", "queue", "list", "--topic", "receipt", "--url", "http://127.0.0.1:9000"});
    BOOST_TEST(in.json);
    BOOST_TEST(in.command == "queue");
    BOOST_TEST(in.sub == "list");
    BOOST_TEST(in.options.at("topic") == "receipt");
    BOOST_TEST(in.url == "http://127.0.0.1:9000");
    in = parsed({"queue", "retry", "--all-dead", "--topic", "signup"});
    BOOST_TEST(in.options.count("all-dead") == 1u);
    in = parsed({"backup", "--force", "/tmp/x.db"});  // a word after a flag is a positional
    BOOST_TEST(in.positionals == std::vector<std::string>{"/tmp/x.db"});
    in = parsed({"erase", "--phone", "+46701234567"});
    BOOST_TEST(in.options.at("phone") == "+46701234567");
    in = parsed({"tokens", "add", "register-1", "pos"});
    BOOST_TEST(in.positionals.size() == 2u);
    in = parsed({"check-config"});
    BOOST_TEST(in.positionals.empty());
}

BOOST_AUTO_TEST_CASE(usage_errors_say_what_is_wrong) {
    BOOST_TEST(refused({}) == "no command given");
    BOOST_TEST(refused({"frobnicate"}) == "unknown command 'frobnicate'");
    BOOST_TEST(refused({"queue"}) == "queue needs a sub-command");
    BOOST_TEST(refused({"queue", "drop"}) == "unknown sub-command 'queue drop'");
    BOOST_TEST(refused({"queue", "show"}) == "wrong number of arguments");
    BOOST_TEST(refused({"queue", "show", "x1"}) == "queue show: the ID is a positive number");
    BOOST_TEST(refused({"queue", "retry"}) == "queue retry takes either an ID or --all-dead");
    BOOST_TEST(refused({"queue", "retry", "4", "--all-dead"}) ==
               "queue retry takes either an ID or --all-dead");
    BOOST_TEST(refused({"queue", "retry", "4", "--topic", "receipt"}) ==
               "--topic goes with --all-dead");
    BOOST_TEST(refused({"erase"}) == "erase takes one of --phone NUMBER or --member ID");
    BOOST_TEST(refused({"erase", "--phone", "1", "--member", "m"}) ==
               "erase takes one of --phone NUMBER or --member ID");
    BOOST_TEST(refused({"erase", "--phone"}) == "--phone needs a value");
    BOOST_TEST(refused({"status", "--phone", "1"}) == "unknown option --phone");
    BOOST_TEST(refused({"status", "--url"}) == "--url needs a value");
    BOOST_TEST(refused({"status", "--timeout-ms", "0"}) ==
               "--timeout-ms takes 1 to 600000 milliseconds");
    BOOST_TEST(refused({"tokens", "add", "only-a-name"}) == "wrong number of arguments");
}

BOOST_AUTO_TEST_CASE(every_command_has_help) {
    BOOST_TEST(parsed({"--help"}).help);
    BOOST_TEST(parsed({"queue", "--help"}).help);  // help without a sub-command
    for (const std::string& command : commandNames()) {
        BOOST_TEST_CONTEXT(command) {
            BOOST_TEST(helpText(command).find("usage: lojalctl " + command) == 0u);
            BOOST_TEST(helpText("").find(command) != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(tables_align_columns) {
    BOOST_TEST(table({{"A", "BB"}, {"ccc", "d"}}) == "A    BB\nccc  d\n");
    BOOST_TEST(duration(59) == "59 s");
    BOOST_TEST(duration(125) == "2 min");
    BOOST_TEST(duration(3 * 3600 + 300) == "3 h 5 min");
    BOOST_TEST(duration(2 * 86400 + 7200) == "2 d 2 h");
}

BOOST_AUTO_TEST_CASE(status_reads_as_sentences_and_a_queue_table) {
    const auto status = json(R"({"version":"1.2.3","store_id":"s1","uptime_seconds":4000,
        "log_level":"information",
        "database":{"path":"/var/lib/lojal/lojal.db","size_bytes":3145728,"schema_version":9,"state":"ok"},
        "listeners":["http://127.0.0.1:8470"],
        "crm":{"sync":true,"connector":"rest","state":"down","paused":false},
        "queues":{"receipt":{"backlog":12,"oldest_age_seconds":600,"dead":1}},
        "devices":[{"name":"scanner1","driver":"serial-scanner","port":"/dev/ttyUSB0","state":"absent",
                    "reason":"unplugged","since":"2026-11-30T10:00:00.000Z"}],
        "alerts":[{"id":"crm_unreachable","severity":"critical","since":"2026-11-30T10:00:00.000Z",
                   "message":"The CRM has not answered for 10 minutes."}]})");
    const std::string text = statusText(*status);
    BOOST_TEST(text.find("1.2.3, store s1, up 1 h 6 min") != std::string::npos, text);
    BOOST_TEST(text.find("3.0 MiB, schema 9, ok") != std::string::npos, text);
    BOOST_TEST(text.find("down (rest)") != std::string::npos, text);
    BOOST_TEST(text.find("receipt  12       10 min  1") != std::string::npos, text);
    BOOST_TEST(text.find("signup   0        -       0") != std::string::npos, text);
    BOOST_TEST(text.find("absent (unplugged)") != std::string::npos, text);
    BOOST_TEST(text.find("critical  crm_unreachable") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(ports_show_the_device_configured_on_each) {
    const auto ports =
        json(R"({"ports":[{"name":"/dev/ttyUSB0","usb":"0403:6001","description":"FT232"},
                                        {"name":"/dev/ttyS0","description":"ttyS0"},
                                        {"name":"/dev/ttyACM0","usb":"0c2e:0b61","description":"scanner"}]})");
    const auto devices = json(R"({"devices":[{"name":"terminal","port":"/dev/ttyUSB0"},
                                            {"name":"scanner","port":"usb:0c2e:0b61"}]})");
    const auto joined = joinPortsWithDevices(*ports, *devices);
    const std::string text = portsText(*joined);
    BOOST_TEST(text.find("/dev/ttyUSB0  0403:6001  FT232        terminal") != std::string::npos,
               text);
    BOOST_TEST(text.find("/dev/ttyS0    -          ttyS0        -") != std::string::npos, text);
    BOOST_TEST(text.find("/dev/ttyACM0  0c2e:0b61  scanner      scanner") != std::string::npos,
               text);
}

BOOST_AUTO_TEST_CASE(the_tokens_file_round_trips_and_refuses_what_it_cannot_read) {
    const std::vector<ApiToken> tokens = {{"register-1", Role::pos, std::string(64, 'a')},
                                          {"prometheus", Role::monitor, std::string(64, 'b')}};
    std::string text = "# comment\n\n";
    for (const ApiToken& token : tokens) text += formatTokenLine(token) + "\n";
    auto read = parseTokensFile(text, "tokens");
    BOOST_REQUIRE(read.ok());
    BOOST_REQUIRE_EQUAL(read->size(), 2u);
    BOOST_TEST((*read)[1].name == "prometheus");
    BOOST_TEST(((*read)[1].role == Role::monitor));
    BOOST_TEST((*read)[0].sha256Hex == std::string(64, 'a'));
    const auto error = [](const std::string& bad) {
        auto result = parseTokensFile(bad, "tokens");
        BOOST_REQUIRE(!result.ok());
        return result.error().message;
    };
    const std::string hash = "sha256:" + std::string(64, 'c');
    BOOST_TEST(error("a pos\n") == "tokens line 1: expected 'NAME ROLE sha256:HEX'");
    BOOST_TEST(error("a pos " + hash + " extra\n") ==
               "tokens line 1: expected 'NAME ROLE sha256:HEX'");
    BOOST_TEST(error("a boss " + hash + "\n").find("tokens line 1: ") == 0u);
    BOOST_TEST(error("a pos sha256:ABC\n") ==
               "tokens line 1: expected sha256: and 64 lower-case hex digits");
    BOOST_TEST(error("a/b pos " + hash + "\n").find("a token name has") != std::string::npos);
    BOOST_TEST(error("a pos " + hash + "\na kiosk " + hash + "\n") ==
               "tokens line 2: token 'a' is named twice");
    BOOST_TEST(!isTokenName(std::string(65, 'x')));
    BOOST_TEST(isTokenName("it-admin_2.b"));
}
