#define BOOST_TEST_MODULE api_zvt_terminal
// A ZVT card terminal (tests/sim/ZvtSim.cpp on a pseudo-terminal) driven through
// the API: flows start with a POST, progress and results come as events, a card
// becomes a token and a member, one flow at a time, every failure ends the flow
// with a reason, and a PAN sent in clear never reaches an event, the log or the
// database.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "LojaldProcess.h"
#include "TestCrm.h"
#include "drivers/zvt/ZvtDriver.h"

using namespace lojal::test;

namespace {

const std::string kTokenKey = "zvt-card-token-key-for-tests";
const std::string kClearPan = "4761739001010010";

std::string terminalConfig(const std::string& link, const std::string& extra = "") {
    return "[device.t1]\ndriver = zvt\nport = " + link +
           "\nstop_bits = 2\ncard_token_key = " + kTokenKey + "\nt2_ms = 300\nt4_ms = 3000\n" +
           extra;
}

HttpResult post(int port, const std::string& path, const std::string& body = "") {
    return httpRequest(port, "POST", path, kPosToken, body);
}

struct Fixture {
    TempDir simDir;
    ZvtSim sim{simDir.file("ttyZVT")};
    std::optional<RunningLojald> lojald;
    std::optional<EventClient> events;

    explicit Fixture(const std::string& extraConfig = "") {
        lojald.emplace(terminalConfig(simDir.file("ttyZVT")) + extraConfig);
        events.emplace(lojald->port, kPosToken, "?since=0");
        // The registration at open ends first.
        BOOST_REQUIRE(!events
                           ->waitFor({"\"type\":\"terminal\"", "\"flow\":\"registration\"",
                                      "\"stage\":\"finished\""})
                           .empty());
    }
    std::string finished(std::chrono::milliseconds timeout = 10s) {
        return events->waitFor({"\"type\":\"terminal\"", "\"stage\":\"finished\""}, timeout);
    }
};

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string fileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

BOOST_AUTO_TEST_CASE(read_card_gives_a_token_and_the_member) {
    TestCrm crm;
    // The simulator's card: 1F14 = C0 FF EE 01 02 03 04 05.
    const std::string token = lojal::hal::cardToken(kTokenKey, "1F14:c0ffee0102030405");
    crm.putMember("M-card", "+46701112233", {token}, "gold", 77);
    Fixture f("[crm]\nsync = on\nurl = " + crm.url() + "\napi_key = k\n");
    const auto started = post(f.lojald->port, "/v1/terminals/t1/read-card");
    BOOST_REQUIRE_EQUAL(started.status, 202);
    BOOST_TEST(has(started.body, "\"flow\":\"read-card\""), started.body);
    const std::string card = f.events->waitFor({"\"type\":\"card\""});
    BOOST_TEST(has(card, "\"token\":\"" + token + "\""), card);
    BOOST_TEST(has(card, "\"token_source\":\"card_id\""), card);
    BOOST_TEST(has(card, "\"masked_pan\":\"476173******0010\""), card);
    BOOST_TEST(has(card, "\"member_id\":\"M-card\""), card);
    const std::string done = f.finished();
    BOOST_TEST(has(done, "\"ok\":true"), done);
    BOOST_TEST(has(done, "LOJAL TEST TERMINAL"), done);  // print lines travel with the result
}

BOOST_AUTO_TEST_CASE(a_payment_is_approved_or_declined_and_one_flow_runs_at_a_time) {
    Fixture f;
    const int port = f.lojald->port;
    BOOST_TEST(post(port, "/v1/terminals/t1/payments", R"({"amount":"0"})").status == 400);
    BOOST_TEST(post(port, "/v1/terminals/t1/payments", R"({"amount":"1e3"})").status == 400);
    BOOST_TEST(post(port, "/v1/terminals/t1/payments", R"({})").status == 400);
    BOOST_TEST(post(port, "/v1/terminals/nope/payments", R"({"amount":"1.00"})").status == 404);
    BOOST_TEST(httpRequest(port, "POST", "/v1/terminals/t1/read-card", kKioskToken).status == 403);

    f.sim.mode("slow");
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/payments", R"({"amount":"116.80"})").status,
                        202);
    const auto second = post(port, "/v1/terminals/t1/read-card");
    BOOST_TEST(second.status == 409);
    BOOST_TEST(errorCode(second.body) == "flow_in_progress");
    std::string done = f.finished();
    BOOST_TEST(has(done, "\"ok\":true"), done);
    BOOST_TEST(has(done, "\"amount\":\"116.80\""), done);

    f.sim.mode("decline");
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/payments", R"({"amount":"5.00"})").status,
                        202);
    done = f.finished();
    BOOST_TEST(has(done, "\"ok\":false"), done);
    BOOST_TEST(has(done, "\"code\":120"), done);
    BOOST_TEST(has(done, "card expired"), done);
}

BOOST_AUTO_TEST_CASE(aborts_from_the_register_and_the_customer) {
    Fixture f;
    const int port = f.lojald->port;
    BOOST_TEST(errorCode(post(port, "/v1/terminals/t1/abort").body) == "no_flow_running");
    f.sim.mode("slow");
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/read-card").status, 202);
    BOOST_REQUIRE(!f.events->waitFor({"\"stage\":\"intermediate\""}).empty());
    BOOST_TEST(post(port, "/v1/terminals/t1/abort").status == 202);
    std::string done = f.finished();
    BOOST_TEST(has(done, "\"code\":108"), done);  // 6C: abort

    f.sim.mode("abort");
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/read-card").status, 202);
    done = f.finished();
    BOOST_TEST(has(done, "\"ok\":false"), done);
    BOOST_TEST(has(done, "terminal aborted"), done);
}

BOOST_AUTO_TEST_CASE(a_silent_or_noisy_terminal_always_ends_the_flow) {
    Fixture f;
    const int port = f.lojald->port;
    f.sim.mode("noack");
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/read-card").status, 202);
    std::string done = f.finished();
    BOOST_TEST(has(done, "T2"), done);

    f.sim.mode("silent");
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/read-card").status, 202);
    done = f.finished();
    BOOST_TEST(has(done, "T4"), done);

    f.sim.mode("garbage");
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/read-card").status, 202);
    done = f.finished();
    BOOST_TEST(has(done, "\"ok\":true"), done);
    const auto devices = httpRequest(port, "GET", "/v1/devices", kAdminToken).body;
    BOOST_TEST(has(devices, "\"protocol_errors\""), devices);
}

BOOST_AUTO_TEST_CASE(a_pan_in_clear_is_never_kept_logged_or_forwarded) {
    Fixture f;
    f.sim.mode("panclear");
    BOOST_REQUIRE_EQUAL(post(f.lojald->port, "/v1/terminals/t1/read-card").status, 202);
    const std::string card = f.events->waitFor({"\"type\":\"card\""});
    BOOST_TEST(has(card, "\"token_source\":\"pan_expiry\""), card);
    BOOST_TEST(has(card, "\"masked_pan\":\"476173******0010\""), card);
    const std::string done = f.finished();
    const auto devices = httpRequest(f.lojald->port, "GET", "/v1/devices", kAdminToken).body;
    BOOST_TEST(has(devices, "\"pan_in_clear\":1"), devices);
    BOOST_TEST(has(devices, "\"track_data_dropped\":1"), devices);
    // Not in any event, the log (debug level), the database or its log.
    const std::string replay =
        EventClient(f.lojald->port, kPosToken, "?since=0").waitFor({"zzz"}, 1s);
    BOOST_TEST(!has(card + done + replay, kClearPan));
    BOOST_TEST(!has(f.lojald->process->output(), kClearPan));
    const std::string db = f.lojald->dir.file("lojal.db");
    BOOST_TEST(!has(fileBytes(db) + fileBytes(db + "-wal"), kClearPan));
}

BOOST_AUTO_TEST_CASE(status_enquiry_and_log_off) {
    Fixture f;
    const int port = f.lojald->port;
    BOOST_REQUIRE_EQUAL(httpRequest(port, "POST", "/v1/terminals/t1/status", kAdminToken).status,
                        202);
    std::string done = f.finished();
    BOOST_TEST(has(done, "\"terminal_status\":0"), done);
    BOOST_TEST(has(done, "\"software_version\":\"1.2.3\""), done);
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/log-off").status, 202);
    done = f.finished();
    BOOST_TEST(has(done, "\"flow\":\"log-off\""), done);
    BOOST_TEST(has(done, "\"ok\":true"), done);
}
