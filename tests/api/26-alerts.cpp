#define BOOST_TEST_MODULE api_alerts
// Each alert raised and cleared by causing its condition for real: a CRM that
// drops connections or refuses the key, an unplugged scanner, an SMS provider
// failing, a filling disk (a small tmpfs), a clock that jumps (libfaketime), a
// world-readable config. Alerts show in GET /v1/alerts, as alert events, in
// /metrics and in the log, and reach a webhook with retries. Logs as JSON and
// with the journal's priorities.
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "ExampleReceipt.h"
#include "FakeHttpServer.h"
#include "LojaldProcess.h"
#include "TestCrm.h"

using namespace lojal::test;

namespace {

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string activeAlerts(int port) {
    return httpRequest(port, "GET", "/v1/alerts", kMonitorToken).body;
}

std::string storeConfig(const std::string& extra) {
    return "[store]\nid = SE-0042\nname = Rusta\ncountry = SE\n"
           "[signup]\nbase_url = https://join.example.com\nsecret = "
           "s3cret-s3cret-s3cret-s3cret-s3cret-0042\n"
           "[alerts]\ninterval_seconds = 1\ncrm_unreachable_minutes = 0\nbacklog_minutes = 0\n"
           "device_absent_minutes = 0\n" +
           extra;
}

std::string crmSection(const TestCrm& crm) {
    return "[crm]\nsync = on\nurl = " + crm.url() +
           "\napi_key = k\nretry_max_seconds = 1\npause_seconds = 1\n";
}

// Waits for the alert event of id in state ("raised" or "cleared").
bool alertEvent(EventClient& events, const std::string& id, const std::string& state) {
    return !events
                .waitFor(
                    {"\"type\":\"alert\"", "\"id\":\"" + id + "\"", "\"state\":\"" + state + "\""},
                    20s)
                .empty();
}

// A tmpfs of size bytes mounted at path for the test's lifetime (root only).
struct SmallDisk {
    std::string path;
    bool mounted = false;
    SmallDisk(const std::string& where, const std::string& size) : path(where) {
        ::mkdir(path.c_str(), 0700);
        mounted = ::mount("tmpfs", path.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
    }
    ~SmallDisk() {
        if (mounted) ::umount2(path.c_str(), MNT_DETACH);
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(an_unreachable_crm_a_backlog_and_a_refused_key_raise_and_clear) {
    TestCrm crm;
    TestCrm::Fault reset;
    reset.kind = TestCrm::Fault::Kind::reset;
    crm.injectNext(1 << 30, reset);  // the network drops every batch
    RunningLojald lojald(storeConfig(crmSection(crm)));
    EventClient events(lojald.port, kPosToken, "?since=0");
    BOOST_REQUIRE_EQUAL(httpRequest(lojald.port, "POST", "/v1/receipts", kPosToken,
                                    lojal::test::exampleReceiptWithId("a-1"))
                            .status,
                        202);
    BOOST_REQUIRE(alertEvent(events, "crm_unreachable", "raised"));
    BOOST_REQUIRE(alertEvent(events, "receipt_backlog", "raised"));
    const std::string alerts = activeAlerts(lojald.port);
    BOOST_TEST(has(alerts, "\"severity\":\"critical\""), alerts);
    BOOST_TEST(has(alerts, "\"since\":\""), alerts);
    const std::string metrics = httpRequest(lojald.port, "GET", "/metrics", kMonitorToken).body;
    BOOST_TEST(has(metrics, "lojal_alert_active{id=\"crm_unreachable\",severity=\"critical\"} 1"),
               metrics);
    BOOST_TEST(has(lojald.process->output(), "Warning lojal.alerts: ALERT crm_unreachable"));

    crm.injectNext(0, reset);  // the network is back
    BOOST_REQUIRE(alertEvent(events, "crm_unreachable", "cleared"));
    BOOST_REQUIRE(alertEvent(events, "receipt_backlog", "cleared"));
    BOOST_REQUIRE(crm.waitForStored(1, 10s));

    crm.failNext(1 << 30, 401);  // someone rotated the CRM's key
    BOOST_REQUIRE_EQUAL(httpRequest(lojald.port, "POST", "/v1/receipts", kPosToken,
                                    lojal::test::exampleReceiptWithId("a-2"))
                            .status,
                        202);
    BOOST_REQUIRE(alertEvent(events, "crm_key_refused", "raised"));
    BOOST_TEST(!has(activeAlerts(lojald.port), "crm_unreachable"));  // it answers: not that
    crm.failNext(0, 401);
    BOOST_REQUIRE(alertEvent(events, "crm_key_refused", "cleared"));
    BOOST_REQUIRE(crm.waitForStored(2, 10s));
}

BOOST_AUTO_TEST_CASE(an_unplugged_scanner_raises_its_alert_and_plugging_it_in_clears_it) {
    TempDir simDir;
    ScannerSim sim(simDir.file("scanner"));
    BOOST_REQUIRE(sim.command("plug").rfind("ok plugged", 0) == 0);
    RunningLojald lojald(storeConfig(
        "[device.checkout-scanner]\ndriver = serial-scanner\nport = " + sim.link() + "\n"));
    EventClient events(lojald.port, kPosToken, "?since=0");
    BOOST_REQUIRE(!events.waitFor({"\"type\":\"device\"", "\"state\":\"ready\""}).empty());
    // With device_absent_minutes = 0 a round that ran before the scanner was
    // opened may have raised the alert ("not started"): the next round clears
    // it. The alert events are then read from a stream opened after that.
    BOOST_REQUIRE(eventually([&] { return !has(activeAlerts(lojald.port), "device_absent"); }));
    EventClient alerts(lojald.port, kPosToken);
    BOOST_REQUIRE(sim.command("unplug") == "ok unplugged");
    BOOST_REQUIRE_MESSAGE(
        alertEvent(alerts, "device_absent:checkout-scanner", "raised"),
        "alerts: " << activeAlerts(lojald.port) << "\ndevices: "
                   << httpRequest(lojald.port, "GET", "/v1/devices", kPosToken).body
                   << "\nlojald: " << lojald.process->output());
    BOOST_TEST(has(activeAlerts(lojald.port), "Device checkout-scanner has not been ready"));
    BOOST_REQUIRE(sim.command("plug").rfind("ok plugged", 0) == 0);
    BOOST_REQUIRE(alertEvent(alerts, "device_absent:checkout-scanner", "cleared"));
}

BOOST_AUTO_TEST_CASE(failing_sms_raise_their_alert_and_successes_clear_it) {
    const ScriptedAnswer failure{500, "{\"error\":\"down\"}", {}};
    const ScriptedAnswer success{200, "{\"id\":\"s1\",\"status\":\"created\"}", {}};
    // Six failed attempts (two SMS, each tried three times), then the provider recovers.
    FakeHttpServer provider({failure, failure, failure, failure, failure, failure, success});
    RunningLojald lojald(
        storeConfig("sms_failure_percent = 50\nsms_min_attempts = 2\n"
                    "[sms]\ngateway = http\nurl = " +
                    provider.url() + "/sms\nusername = u\npassword = p\n"));
    EventClient events(lojald.port, kPosToken, "?since=0");
    int phone = 0;
    const auto signup = [&] {
        const std::string body = "{\"phone\":\"07011100" + std::to_string(10 + phone++) +
                                 "\",\"cashier_id\":\"c\",\"register_id\":\"r\",\"consent\":{"
                                 "\"marketing_sms\":true,\"terms_version\":\"1\",\"text_shown\":"
                                 "\"Ja.\"}}";
        BOOST_REQUIRE_EQUAL(httpRequest(lojald.port, "POST", "/v1/signups", kPosToken, body).status,
                            202);
    };
    signup();
    signup();
    BOOST_REQUIRE_MESSAGE(alertEvent(events, "sms_failures", "raised"), lojald.process->output());
    BOOST_TEST(has(activeAlerts(lojald.port), "of SMS attempts in the last hour failed"));
    BOOST_REQUIRE(provider.waitForRequests(7, 20s).size() >= 7u);  // it works again
    // Successes dilute the hour's failures: at 6 of 12 attempts (50 %) the alert clears.
    bool cleared = false;
    for (int i = 0; i < 8 && !cleared; ++i) {
        signup();
        cleared =
            !events
                 .waitFor(
                     {"\"type\":\"alert\"", "\"id\":\"sms_failures\"", "\"state\":\"cleared\""}, 3s)
                 .empty();
    }
    BOOST_TEST(cleared);
    BOOST_TEST(phone >= 6);  // not before the ratio allowed it
}

BOOST_AUTO_TEST_CASE(a_filling_disk_is_predicted_full_and_then_low) {
    TempDir dir;
    SmallDisk disk(dir.file("disk"), "16m");
    if (!disk.mounted) {
        BOOST_FAIL("cannot mount a tmpfs (the disk alerts' test runs as root, as CI does)");
    }
    const int port = freePort();
    const std::string config = writeTestConfig(
        dir, port,
        storeConfig("disk_free_percent = 40\ndisk_full_days = 1\ndisk_trend_window_seconds = 4\n"
                    "disk_trend_min_seconds = 1\n"),
        disk.path + "/lojal.db");
    LojaldProcess lojald({"--config", config}, dir.path());
    BOOST_REQUIRE(lojald.waitUntilReady());
    EventClient events(port, kPosToken, "?since=0");
    // The disk fills at about 1 MiB/s: full in seconds, so within a day.
    std::ofstream filler(disk.path + "/filler", std::ios::binary);
    const std::string chunk(256 * 1024, 'x');
    bool predicted = false;
    for (int i = 0; i < 24 && !predicted; ++i) {
        filler << chunk << std::flush;
        predicted = !events
                         .waitFor({"\"type\":\"alert\"", "\"id\":\"disk_full_predicted\"",
                                   "\"state\":\"raised\""},
                                  250ms)
                         .empty();
    }
    BOOST_REQUIRE(predicted);
    // It stops growing: once the window holds only flat samples, no prediction.
    BOOST_REQUIRE(alertEvent(events, "disk_full_predicted", "cleared"));
    // A big file leaves under 40 % of the 16 MiB free.
    filler << std::string(10 * 1024 * 1024, 'y') << std::flush;
    BOOST_REQUIRE(alertEvent(events, "disk_low", "raised"));
    BOOST_TEST(has(activeAlerts(port), "lojald stops taking receipts when it is full"));
    filler.close();
    ::unlink((disk.path + "/filler").c_str());
    BOOST_REQUIRE(alertEvent(events, "disk_low", "cleared"));
    lojald.signal(SIGTERM);
    BOOST_REQUIRE(lojald.waitForExit(15s).has_value());
}

BOOST_AUTO_TEST_CASE(a_clock_that_jumps_is_reported) {
    const std::string faketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
    struct stat info {};
    BOOST_REQUIRE_MESSAGE(::stat(faketime.c_str(), &info) == 0,
                          "libfaketime (package faketime) is a test dependency");
    TempDir dir;
    const int port = freePort();
    const std::string config = writeTestConfig(dir, port, storeConfig(""));
    dir.write("clock", "+0\n");
    // libfaketime moves the wall clock only: the monotonic clock runs on, as in
    // a real jump (NTP arriving, a hand on the clock).
    ::setenv("LD_PRELOAD", faketime.c_str(), 1);
    ::setenv("FAKETIME_TIMESTAMP_FILE", dir.file("clock").c_str(), 1);
    ::setenv("FAKETIME_NO_CACHE", "1", 1);
    ::setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", 1);
    const char* asan = std::getenv("ASAN_OPTIONS");
    const std::string asanOptions = asan ? asan : "";
    ::setenv("ASAN_OPTIONS", (asanOptions + ":verify_asan_link_order=0").c_str(), 1);
    LojaldProcess lojald({"--config", config}, dir.path());
    for (const char* name : {"LD_PRELOAD", "FAKETIME_TIMESTAMP_FILE", "FAKETIME_NO_CACHE",
                             "FAKETIME_DONT_FAKE_MONOTONIC"})
        ::unsetenv(name);
    ::setenv("ASAN_OPTIONS", asanOptions.c_str(), 1);
    BOOST_REQUIRE(lojald.waitUntilReady());
    EventClient events(port, kPosToken, "?since=0");
    // The jump is measured against the previous round: let the first one run on
    // the old clock (a loaded machine may start the rules after the API).
    BOOST_REQUIRE(eventually([&] { return has(activeAlerts(port), "\"evaluated_at\":\""); }));
    BOOST_TEST(!has(activeAlerts(port), "clock_jump"));
    dir.write("clock", "+2h\n");
    BOOST_REQUIRE_MESSAGE(alertEvent(events, "clock_jump", "raised"),
                          "alerts: " << activeAlerts(port) << "\nlojald: " << lojald.output());
    BOOST_TEST(has(activeAlerts(port), "jumped by +7200 s"), activeAlerts(port));
}

BOOST_AUTO_TEST_CASE(a_world_readable_config_with_secrets_raises_an_alert_and_a_webhook) {
    FakeHttpServer webhook({{503, "busy", {}}, {200, "{}", {}}});
    TempDir dir;
    const int port = freePort();
    const std::string config =
        writeTestConfig(dir, port, storeConfig("webhook_url = " + webhook.url() + "/hook\n"));
    ::chmod(config.c_str(), 0644);  // holds the tokens of [tokens]
    LojaldProcess lojald({"--config", config}, dir.path());
    BOOST_REQUIRE(lojald.waitUntilReady());
    BOOST_REQUIRE(eventually([&] { return has(activeAlerts(port), "config_readable"); }));
    // The first POST meets a 503; the outbox sends it again.
    auto requests = webhook.waitForRequests(2, 20s);
    BOOST_REQUIRE_GE(requests.size(), 2u);
    BOOST_TEST(requests[0].body == requests[1].body);
    BOOST_TEST(requests[0].headers["Idempotency-Key"] == requests[1].headers["Idempotency-Key"]);
    const auto raised =
        Poco::JSON::Parser().parse(requests[1].body).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(raised->getValue<std::string>("id") == "config_readable");
    BOOST_TEST(raised->getValue<std::string>("state") == "raised");
    BOOST_TEST(raised->getValue<std::string>("store_id") == "SE-0042");
    BOOST_TEST(requests[1].uri == "/hook");

    ::chmod(config.c_str(), 0600);
    BOOST_REQUIRE(eventually([&] { return !has(activeAlerts(port), "config_readable"); }));
    requests = webhook.waitForRequests(3, 20s);
    BOOST_REQUIRE_GE(requests.size(), 3u);
    BOOST_TEST(has(requests[2].body, "\"state\":\"cleared\""), requests[2].body);
}

BOOST_AUTO_TEST_CASE(json_logs_are_one_object_a_line_and_the_journal_gets_priorities) {
    {
        RunningLojald lojald("[log]\nformat = json\n");
        std::istringstream lines(lojald.process->output());
        std::string line;
        int parsed = 0;
        while (std::getline(lines, line)) {
            const auto object = Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
            BOOST_TEST(object->has("time"));
            BOOST_TEST(object->has("logger"));
            ++parsed;
        }
        BOOST_TEST(parsed >= 2);
    }
    TempDir simDir;
    RunningLojald journal(
        storeConfig("[log]\ntarget = journal\n[device.gone]\ndriver = "
                    "serial-scanner\nport = " +
                    simDir.file("no-such-port") + "\n"));
    BOOST_REQUIRE(journal.process->waitForOutput("<4>"));  // the device alert, at warning
    BOOST_TEST(has(journal.process->output(), "<5>"));     // "listening", a notice
    BOOST_TEST(has(journal.process->output(), "<4>"));
}
