#define BOOST_TEST_MODULE api_zvt_terminal
// A ZVT card terminal (tests/sim/ZvtSim.cpp) driven through the API, over a
// pseudo-terminal (serial framing) and over TCP (bare APDUs), with the same
// tests: flows start with a POST, progress and results come as events, each
// flow ends with the terminal's last message as FLOWS.md says (a read card at
// its status information, not 180 s later), the register's abort reaches a
// terminal that waits for a card, a card becomes a token and a member, a
// status enquiry never publishes a card, and a PAN sent in clear never reaches
// an event, the log or the database.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>
#include <sstream>

#include "LojaldProcess.h"
#include "TestCrm.h"
#include "drivers/zvt/ZvtDriver.h"

using namespace lojal::test;

namespace {

const std::string kTokenKey = "zvt-card-token-key-for-tests";
const std::string kClearPan = "4761739001010010";

// No line settings: the driver's 9600 8N2 applies. Over TCP, T3 is longer than
// the simulator's own wait in a collision, as a register's must be.
std::string terminalConfig(const std::string& location, const std::string& extra = "") {
    return "[device.t1]\ndriver = zvt\nport = " + location + "\ncard_token_key = " + kTokenKey +
           "\nt2_ms = 300\nt3_ms = 1000\nt4_ms = 3000\n" + extra;
}

HttpResult post(int port, const std::string& path, const std::string& body = "") {
    return httpRequest(port, "POST", path, kPosToken, body);
}

int64_t wallMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

struct Fixture {
    TempDir simDir;
    ZvtSim sim;
    std::optional<RunningLojald> lojald;
    std::optional<EventClient> events;

    // extraConfig goes after the device section: its own sections only.
    explicit Fixture(const std::string& link, const std::string& extraConfig = "",
                     const std::string& deviceOptions = "")
        : sim(link == "tcp" ? "tcp" : simDir.file("ttyZVT")) {
        lojald.emplace(terminalConfig(sim.location(), deviceOptions) + extraConfig);
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
    // Every event so far, from a new client that replays them all (it stops
    // once nothing more came for half a second).
    std::string allEvents() {
        EventClient replay(lojald->port, kPosToken, "?since=0");
        std::string all;
        for (std::string event; !(event = replay.next(500ms)).empty();) all += event + "\n";
        BOOST_REQUIRE(has(all, "\"flow\":\"registration\""));  // it did see the events
        return all;
    }
    // The started event of the registration at open (it says the currency).
    std::string registrationStarted() {
        return EventClient(lojald->port, kPosToken, "?since=0")
            .waitFor({"\"flow\":\"registration\"", "\"stage\":\"started\""});
    }
    std::string devices() {
        return httpRequest(lojald->port, "GET", "/v1/devices", kAdminToken).body;
    }
};

size_t occurrences(const std::string& text, const std::string& part) {
    size_t count = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++count;
    return count;
}

std::string fileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

// A test that runs twice, as NAME_serial and NAME_tcp, with `link` naming the transport.
#define TEST_OVER_BOTH_LINKS(name)             \
    static void name(const std::string& link); \
    BOOST_AUTO_TEST_CASE(name##_serial) {      \
        name("serial");                        \
    }                                          \
    BOOST_AUTO_TEST_CASE(name##_tcp) {         \
        name("tcp");                           \
    }                                          \
    static void name(const std::string& link)

TEST_OVER_BOTH_LINKS(read_card_gives_a_token_and_the_member_and_ends_with_the_card_data) {
    TestCrm crm;
    // The simulator's card: 1F14 = C0 FF EE 01 02 03 04 05.
    const std::string token = lojal::hal::cardToken(kTokenKey, "1F14:c0ffee0102030405");
    crm.putMember("M-card", "+46701112233", {token}, "gold", 77);
    Fixture f(link, "[crm]\nsync = on\nurl = " + crm.url() + "\napi_key = k\n");
    const auto started = post(f.lojald->port, "/v1/terminals/t1/read-card");
    BOOST_REQUIRE_EQUAL(started.status, 202);
    BOOST_TEST(has(started.body, "\"flow\":\"read-card\""), started.body);
    const std::string card = f.events->waitFor({"\"type\":\"card\""});
    BOOST_TEST(has(card, "\"token\":\"" + token + "\""), card);
    BOOST_TEST(has(card, "\"token_source\":\"card_id\""), card);
    BOOST_TEST(has(card, "\"masked_pan\":\"476173******0010\""), card);
    BOOST_TEST(has(card, "\"member_id\":\"M-card\""), card);
    // CP437 "VISA D\x82bit\x07\0\0" from the terminal: UTF-8, no bell, no NULs.
    BOOST_TEST(has(card,
                   "\"card_name\":\"VISA D\xC3\xA9"
                   "bit\""),
               card);
    const std::string done = f.finished();
    const int64_t doneAt = wallMs();
    BOOST_TEST(has(done, "\"ok\":true"), done);
    // The terminal's last message was the card data: the flow ended with it.
    BOOST_TEST(doneAt - f.sim.lastSentMs() < 1000);
    const auto again = post(f.lojald->port, "/v1/terminals/t1/read-card");
    BOOST_TEST(again.status == 202, again.body);
    BOOST_TEST(has(f.finished(), "\"ok\":true"));
}

TEST_OVER_BOTH_LINKS(every_flow_ends_within_a_second_of_the_terminals_last_message) {
    Fixture f(link);
    const int port = f.lojald->port;
    const std::vector<std::pair<std::string, std::string>> flows = {
        {"read-card", ""},
        {"payments", R"({"amount":"12.50"})"},
        {"status", ""},
        {"log-off", ""},
        {"read-card", ""}};
    for (const auto& [path, body] : flows) {
        BOOST_TEST_CONTEXT(path) {
            // Accepted at once: the flow before it is over.
            const auto started = httpRequest(port, "POST", "/v1/terminals/t1/" + path,
                                             path == "status" ? kAdminToken : kPosToken, body);
            BOOST_REQUIRE_EQUAL(started.status, 202);
            const std::string done = f.finished();
            const int64_t doneAt = wallMs();
            BOOST_TEST(has(done, "\"ok\":true"), done);
            BOOST_TEST(doneAt - f.sim.lastSentMs() < 1000);
        }
    }
}

TEST_OVER_BOTH_LINKS(a_payment_is_approved_or_declined_and_one_flow_runs_at_a_time) {
    Fixture f(link);
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
    // The card used for a payment is published, marked with its flow.
    const std::string card = f.events->waitFor({"\"type\":\"card\""});
    BOOST_TEST(has(card, "\"flow\":\"payment\""), card);
    std::string done = f.finished();
    BOOST_TEST(has(done, "\"ok\":true"), done);
    BOOST_TEST(has(done, "\"amount\":\"116.80\""), done);
    BOOST_TEST(has(done, "LOJAL TEST TERMINAL"), done);  // print lines travel with the result

    f.sim.mode("decline");
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/payments", R"({"amount":"5.00"})").status,
                        202);
    done = f.finished();
    BOOST_TEST(has(done, "\"ok\":false"), done);
    BOOST_TEST(has(done, "\"code\":120"), done);
    BOOST_TEST(has(done, "card expired"), done);
}

TEST_OVER_BOTH_LINKS(an_abort_during_a_card_wait_reaches_the_terminal_and_ends_the_flow) {
    Fixture f(link);
    const int port = f.lojald->port;
    BOOST_TEST(errorCode(post(port, "/v1/terminals/t1/abort").body) == "no_flow_running");
    f.sim.mode("wait");  // the terminal waits for a card and says nothing more
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/read-card").status, 202);
    BOOST_REQUIRE(!f.events->waitFor({"\"text\":\"insert card\""}).empty());
    const auto aborted = post(port, "/v1/terminals/t1/abort");
    BOOST_TEST(aborted.status == 202);
    BOOST_TEST(has(aborted.body, "\"abort\":\"sent\""), aborted.body);
    const std::string done = f.finished(2s);
    BOOST_TEST(has(done, "\"code\":108"), done);  // 6C
    BOOST_TEST(has(done, "terminal confirmed"), done);
    // The terminal is free: the next read goes through, and this time a card comes.
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/read-card").status, 202);
    BOOST_REQUIRE(!f.events->waitFor({"\"text\":\"insert card\""}).empty());
    f.sim.presentCard();
    BOOST_TEST(!f.events->waitFor({"\"type\":\"card\""}).empty());
    BOOST_TEST(has(f.finished(), "\"ok\":true"));
}

TEST_OVER_BOTH_LINKS(an_abort_that_collides_with_the_card_data_still_ends_the_read) {
    Fixture f(link);
    const int port = f.lojald->port;
    f.sim.mode("collide");
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/read-card").status, 202);
    BOOST_REQUIRE(!f.events->waitFor({"\"text\":\"insert card\""}).empty());
    BOOST_TEST(post(port, "/v1/terminals/t1/abort").status == 202);
    const std::string done = f.finished();
    BOOST_TEST(has(done, "\"code\":108"), done);
    BOOST_TEST(!has(f.allEvents(), "\"type\":\"card\""));  // the crossed card data is not taken
    BOOST_TEST(has(f.devices(), "\"abort_collisions\""), f.devices());
    f.sim.mode("approve");
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/read-card").status, 202);
    BOOST_TEST(has(f.finished(), "\"ok\":true"));
}

TEST_OVER_BOTH_LINKS(the_customer_aborts_and_the_register_aborts_a_payment) {
    Fixture f(link);
    const int port = f.lojald->port;
    f.sim.mode("abort");
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/read-card").status, 202);
    std::string done = f.finished();
    BOOST_TEST(has(done, "\"ok\":false"), done);
    BOOST_TEST(has(done, "terminal aborted"), done);

    // A payment takes the Abort in place of the answer to the terminal's next message.
    f.sim.mode("slow");
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/payments", R"({"amount":"3.00"})").status,
                        202);
    BOOST_REQUIRE(!f.events->waitFor({"\"stage\":\"intermediate\""}).empty());
    const auto aborted = post(port, "/v1/terminals/t1/abort");
    BOOST_TEST(has(aborted.body, "\"abort\":\"pending\""), aborted.body);
    done = f.finished();
    BOOST_TEST(has(done, "\"code\":108"), done);
}

TEST_OVER_BOTH_LINKS(a_status_enquiry_never_publishes_a_card) {
    Fixture f(link);
    const int port = f.lojald->port;
    // This terminal repeats the last card's data in a status information
    // during the enquiry: lojald must not take it for a card at the till.
    f.sim.mode("statuscard");
    BOOST_REQUIRE_EQUAL(httpRequest(port, "POST", "/v1/terminals/t1/status", kAdminToken).status,
                        202);
    std::string done = f.finished();
    BOOST_TEST(has(done, "\"terminal_status\":0"), done);
    BOOST_TEST(has(done, "\"software_version\":\"1.2.3\""), done);
    BOOST_TEST(!has(f.allEvents(), "\"type\":\"card\""));
    // The same card data in a read card is a card: the test can tell.
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/read-card").status, 202);
    done = f.finished();
    BOOST_TEST(occurrences(f.allEvents(), "\"type\":\"card\"") == 1u);
}

TEST_OVER_BOTH_LINKS(a_silent_or_deaf_terminal_always_ends_the_flow) {
    Fixture f(link);
    const int port = f.lojald->port;
    f.sim.mode("noack");
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/read-card").status, 202);
    std::string done = f.finished();
    // Serial: no ACK (T2). TCP has no ACK: no answer (T3), and a new connection.
    BOOST_TEST(has(done, link == "tcp" ? "T3" : "T2"), done);

    if (link == "tcp") {
        // Connected again after the T3, and registered anew once the terminal
        // answers again (a registration sent while it was still deaf fails too).
        f.sim.mode("approve");
        BOOST_REQUIRE(
            !f.events
                 ->waitFor({"\"flow\":\"registration\"", "\"stage\":\"finished\"", "\"ok\":true"})
                 .empty());
    }
    f.sim.mode("silent");
    BOOST_REQUIRE_EQUAL(post(port, "/v1/terminals/t1/read-card").status, 202);
    done = f.finished();
    BOOST_TEST(has(done, "T4"), done);
}

BOOST_AUTO_TEST_CASE(serial_noise_is_answered_with_nak_and_counted) {
    Fixture f("serial");
    f.sim.mode("garbage");
    BOOST_REQUIRE_EQUAL(post(f.lojald->port, "/v1/terminals/t1/read-card").status, 202);
    const std::string done = f.finished();
    BOOST_TEST(has(done, "\"ok\":true"), done);
    BOOST_TEST(has(f.devices(), "\"protocol_errors\""), f.devices());
}

BOOST_AUTO_TEST_CASE(a_pan_in_clear_is_never_kept_logged_or_forwarded) {
    Fixture f("serial");
    f.sim.mode("panclear");
    BOOST_REQUIRE_EQUAL(post(f.lojald->port, "/v1/terminals/t1/read-card").status, 202);
    const std::string card = f.events->waitFor({"\"type\":\"card\""});
    BOOST_TEST(has(card, "\"token_source\":\"pan_expiry\""), card);
    BOOST_TEST(has(card, "\"masked_pan\":\"476173******0010\""), card);
    const std::string done = f.finished();
    const std::string devices = f.devices();
    BOOST_TEST(has(devices, "\"pan_in_clear\":1"), devices);
    BOOST_TEST(has(devices, "\"track_data_dropped\":1"), devices);
    // Not in any event, the log (debug level), the database or its log.
    BOOST_TEST(!has(card + done + f.allEvents(), kClearPan));
    BOOST_TEST(!has(f.lojald->process->output(), kClearPan));
    const std::string db = f.lojald->dir.file("lojal.db");
    BOOST_TEST(!has(fileBytes(db) + fileBytes(db + "-wal"), kClearPan));
}

BOOST_AUTO_TEST_CASE(line_settings_and_currency_come_from_the_driver_and_the_store) {
    {
        // No stop_bits in the section: ZVT's 8N2. No currency: the store's (SE: SEK, 752).
        Fixture f("serial");
        BOOST_TEST(has(f.devices(), "\"serial\":\"9600 8N2\""), f.devices());
        const std::string registration = f.registrationStarted();
        BOOST_TEST(has(registration, "\"currency\":752"), registration);
    }
    {
        // A Finnish store registers its terminal in euro; the section may still override.
        Fixture f("serial", "[store]\ncountry = FI\n", "baud = 19200\n");
        BOOST_TEST(has(f.devices(), "\"serial\":\"19200 8N2\""), f.devices());
        const std::string registration = f.registrationStarted();
        BOOST_TEST(has(registration, "\"currency\":978"), registration);
    }
    {
        Fixture f("tcp", "", "currency = 578\n");
        const std::string registration = f.registrationStarted();
        BOOST_TEST(has(registration, "\"currency\":578"), registration);
        BOOST_TEST(!has(f.devices(), "\"serial\""), f.devices());  // no line settings on TCP
    }
}

BOOST_AUTO_TEST_CASE(a_tcp_terminal_that_restarts_is_connected_again) {
    Fixture f("tcp");
    BOOST_TEST(has(f.devices(), "\"backend\":\"tcp\""), f.devices());
    const std::string location = f.sim.location();
    // The terminal goes away: the connection drops, the terminal is unavailable.
    f.sim.signal(SIGKILL);
    BOOST_REQUIRE(f.sim.waitForExit().has_value());
    BOOST_REQUIRE(!f.events->waitFor({"\"type\":\"device\"", "\"state\":\"absent\""}).empty());
    BOOST_TEST(post(f.lojald->port, "/v1/terminals/t1/read-card").status == 503);
    // It comes back on the same address: lojald connects, registers anew and
    // takes flows again.
    ZvtSim back("tcp:" + location.substr(location.rfind(':') + 1));
    BOOST_REQUIRE_MESSAGE(back.location() == location, back.output());
    // A reconnect may reach the dying simulator's listen queue first and lose a
    // registration to the reset, so any registration that ends well counts.
    // Reconnects back off up to a second; a sanitizer build under load is slow.
    const std::string registered = f.events->waitFor(
        {"\"flow\":\"registration\"", "\"stage\":\"finished\"", "\"ok\":true"}, 30s);
    BOOST_REQUIRE_MESSAGE(!registered.empty(), f.lojald->process->output() + "\n--- zvt-sim:\n" +
                                                   back.output() + "\n--- devices: " +
                                                   f.devices());
    BOOST_REQUIRE_EQUAL(post(f.lojald->port, "/v1/terminals/t1/read-card").status, 202);
    BOOST_TEST(has(f.finished(), "\"ok\":true"));
}
