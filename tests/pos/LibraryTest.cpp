// liblojal against the real lojald on loopback, through its public header only:
// sign-up, member lookup, receipts retried with one key, PINs, the escape hatch,
// scans from scanner-sim and card flows through zvt-sim as events, event resume
// across a kill -9 of lojald, and HTTPS with verification.
#define BOOST_TEST_MODULE liblojal against lojald
#include <boost/test/unit_test.hpp>

#include <lojal/lojal.h>

#include <csignal>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ExampleReceipt.h"
#include "LojaldProcess.h"
#include "PeerServers.h"
#include "TestCrm.h"
#include "TestPki.h"
#include "barcode/MemberToken.h"

using namespace lojal::test;

namespace {

const std::string kQrKey = "member-qr-test-key";

std::string storeConfig(const std::string& extra = "") {
    return "[store]\nid = SE-0042\nname = Rusta\ncountry = SE\n"
           "[signup]\nbase_url = https://join.example.com\nsecret = "
           "s3cret-s3cret-s3cret-s3cret-s3cret-0042\n"
           "[scanning]\nmember_qr_key = " +
           kQrKey + "\nmember_card_ranges = 2990000000000-2990999999999\n" + extra;
}

// A scanner (scanner-sim, plugged) and lojald reading it, ready.
struct ScannerRig {
    TempDir simDir;
    ScannerSim sim{simDir.file("scanner")};
    std::optional<RunningLojald> lojald;
    ScannerRig() {
        BOOST_REQUIRE(sim.command("plug").rfind("ok plugged", 0) == 0);
        lojald.emplace(storeConfig() + "[device.scanner-1]\ndriver = serial-scanner\nport = " +
                       sim.link() + "\nbaud = 115200\nsuffix = cr\ndedup_window_ms = 0\n");
        waitReady();
    }
    void waitReady() const {
        BOOST_REQUIRE(!EventClient(lojald->port, kPosToken, "?since=0")
                           .waitFor({"\"type\":\"device\"", "\"ready\""})
                           .empty());
    }
    void scan(const std::string& label) {
        BOOST_REQUIRE(sim.command("scan " + label).rfind("ok", 0) == 0);
    }
};

// A card terminal (zvt-sim on a pty) and lojald driving it, registered.
struct TerminalRig {
    TempDir simDir;
    ZvtSim sim{simDir.file("ttyZVT")};
    std::optional<RunningLojald> lojald;
    TerminalRig() {
        lojald.emplace(storeConfig() + "[device.t1]\ndriver = zvt\nport = " + sim.location() +
                       "\ncard_token_key = zvt-card-token-key-for-tests\nt2_ms = 300\n"
                       "t3_ms = 1000\nt4_ms = 3000\n");
        BOOST_REQUIRE(!EventClient(lojald->port, kPosToken, "?since=0")
                           .waitFor({"\"flow\":\"registration\"", "\"stage\":\"finished\""})
                           .empty());
    }
};

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// One handle, freed at the end; every result string is freed as it is read.
struct Till {
    lojal_client* client = nullptr;
    Till(int port, const std::string& token)
        : Till("http://127.0.0.1:" + std::to_string(port), token) {}
    Till(const std::string& url, const std::string& token) {
        BOOST_REQUIRE_EQUAL(lojal_client_new(url.c_str(), token.c_str(), &client), LOJAL_OK);
        BOOST_REQUIRE_EQUAL(lojal_set_option_str(client, LOJAL_OPT_REGISTER_ID, "kassa-3"),
                            LOJAL_OK);
        BOOST_REQUIRE_EQUAL(lojal_set_option_str(client, LOJAL_OPT_CASHIER_ID, "c-17"), LOJAL_OK);
    }
    ~Till() { lojal_client_free(client); }

    static std::string take(char* json) {
        std::string text = json ? json : "";
        lojal_free(json);
        return text;
    }
    // The next event whose JSON holds every part (others are skipped), "" on timeout.
    std::string waitForEvent(const std::vector<std::string>& parts, int timeoutMs = 10000,
                             uint64_t* seqOut = nullptr) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                until - std::chrono::steady_clock::now());
            if (left.count() <= 0) return "";
            uint64_t seq = 0;
            char* json = nullptr;
            if (lojal_event_next(client, static_cast<int>(left.count()), &seq, &json) != LOJAL_OK)
                return "";
            const std::string event = take(json);
            seen.push_back({seq, event});
            bool all = true;
            for (const auto& part : parts) all = all && has(event, part);
            if (all) {
                if (seqOut) *seqOut = seq;
                return event;
            }
        }
    }
    std::vector<std::pair<uint64_t, std::string>> seen;  // every event taken, in order
};

const char* kConsent =
    R"({"marketing_sms":true,"terms_version":"2026-01","text_shown":"Ja, jag vill bli medlem."})";

}  // namespace

BOOST_AUTO_TEST_CASE(a_till_signs_up_looks_up_and_sends_receipts) {
    TestCrm crm;
    crm.putMember("M1", "+46701234567", {"card-tok-1"}, "gold", 120);
    RunningLojald lojald(storeConfig("[crm]\nsync = on\nurl = " + crm.url() +
                                     "\napi_key = k\nretry_max_seconds = 1\n"));
    Till till(lojald.port, kPosToken);
    char* json = nullptr;

    BOOST_TEST(lojal_health(till.client, -1, &json) == LOJAL_OK, lojal_last_error());
    BOOST_TEST(has(Till::take(json), "\"api_version\":\"1.0\""));
    BOOST_TEST(lojal_last_http_status() == 200);

    // Sign-up, the same key again (a retry), the key with another number.
    BOOST_TEST(
        lojal_signup(till.client, "070-123 45 67", kConsent, "kassa-3:r-42", -1, &json) == LOJAL_OK,
        lojal_last_error());
    const std::string first = Till::take(json);
    BOOST_TEST(has(first, "\"status\":\"queued\""), first);
    BOOST_TEST(lojal_last_http_status() == 202);
    BOOST_TEST(lojal_signup(till.client, "070-123 45 67", kConsent, "kassa-3:r-42", -1, &json) ==
               LOJAL_OK);
    BOOST_TEST(has(Till::take(json), "\"repeat\":true"));
    BOOST_TEST(lojal_signup(till.client, "070-765 43 21", kConsent, "kassa-3:r-42", -1, &json) ==
               LOJAL_E_CONFLICT);
    BOOST_TEST(json == nullptr);
    BOOST_TEST(std::string(lojal_last_error_code()) == "idempotency_conflict");
    BOOST_TEST(lojal_last_http_status() == 409);
    BOOST_TEST(lojal_signup(till.client, "12", kConsent, nullptr, -1, &json) ==
               LOJAL_E_INVALID_ARG);
    BOOST_TEST(std::string(lojal_last_error_code()) == "invalid_phone");
    BOOST_TEST(lojal_last_http_status() == 400);

    // Lookups by phone, card token and member QR; an unknown one.
    BOOST_TEST(lojal_member_lookup(till.client, LOJAL_LOOKUP_PHONE, "070-123 45 67", -1, &json) ==
                   LOJAL_OK,
               lojal_last_error());
    BOOST_TEST(has(Till::take(json), "\"member_id\":\"M1\""));
    BOOST_TEST(
        lojal_member_lookup(till.client, LOJAL_LOOKUP_CARD, "card-tok-1", -1, &json) == LOJAL_OK,
        lojal_last_error());
    BOOST_TEST(has(Till::take(json), "\"member_id\":\"M1\""));
    const std::string qr = lojal::barcode::signMemberToken(
        {"M1", static_cast<int64_t>(std::time(nullptr)) + 600}, kQrKey);
    BOOST_TEST(lojal_member_lookup(till.client, LOJAL_LOOKUP_QR, qr.c_str(), -1, &json) == LOJAL_OK,
               lojal_last_error());
    BOOST_TEST(has(Till::take(json), "\"member_id\":\"M1\""));
    BOOST_TEST(lojal_member_lookup(till.client, LOJAL_LOOKUP_PHONE, "070-000 00 01", -1, &json) ==
               LOJAL_E_NOT_FOUND);
    BOOST_TEST(lojal_member_lookup(till.client, LOJAL_LOOKUP_QR, "LJM1.M1.1.forged", -1, &json) ==
               LOJAL_E_INVALID_ARG);
    BOOST_TEST(std::string(lojal_last_error_code()) == "invalid_token");

    // A receipt without its own id: the key becomes receipt_id; sent twice, stored once.
    std::string receipt = exampleReceiptWithId("X");
    receipt.replace(receipt.find(R"("receipt_id":"X",)"), 17, "");
    const char* key = "kassa-3-2026-11-30-0042";
    BOOST_TEST(lojal_receipt_submit(till.client, receipt.c_str(), key, -1, &json) == LOJAL_OK,
               lojal_last_error());
    const std::string stored = Till::take(json);
    BOOST_TEST(has(stored, std::string("\"receipt_id\":\"") + key + "\""), stored);
    BOOST_TEST(lojal_last_http_status() == 202);
    BOOST_TEST(lojal_receipt_submit(till.client, receipt.c_str(), key, -1, &json) == LOJAL_OK);
    BOOST_TEST(has(Till::take(json), "duplicate"));
    BOOST_TEST(lojal_last_http_status() == 200);
    BOOST_TEST(queryDatabase(lojald.dir.file("lojal.db"),
                             std::string("SELECT count(*) FROM receipts WHERE receipt_id = '") +
                                 key + "'") == "1\n");
    // Without a key the library makes one, and says which.
    BOOST_TEST(lojal_receipt_submit(till.client, receipt.c_str(), nullptr, -1, &json) == LOJAL_OK);
    BOOST_TEST(has(Till::take(json), "\"receipt_id\":\""));
    // lojald's own refusal comes through with its code and path message.
    std::string card = exampleReceiptWithId("with-card");
    card.replace(card.find("Kaffe 450 g"), 11, "4111 1111 1111 1111");
    BOOST_TEST(lojal_receipt_submit(till.client, card.c_str(), nullptr, -1, &json) ==
               LOJAL_E_INVALID_ARG);
    BOOST_TEST(std::string(lojal_last_error_code()) == "card_number_refused");

    // PINs are the kiosk's: the POS token is refused; a kiosk token goes through.
    BOOST_TEST(lojal_otp_start(till.client, "070-123 45 67", -1, &json) == LOJAL_E_FORBIDDEN);
    Till kiosk(lojald.port, kKioskToken);
    BOOST_TEST(lojal_otp_start(kiosk.client, "070-123 45 67", -1, &json) == LOJAL_OK,
               lojal_last_error());
    BOOST_TEST(has(Till::take(json), "\"expires_in\":300"));
    BOOST_TEST(lojal_otp_verify(kiosk.client, "070-123 45 67", "000000", -1, &json) == LOJAL_OK);
    BOOST_TEST(has(Till::take(json), "\"verified\":false"));

    // The escape hatch: any endpoint, status and body also on errors.
    int status = 0;
    BOOST_TEST(lojal_request(till.client, "GET", "/v1/whoami", nullptr, -1, &status, &json) ==
               LOJAL_OK);
    BOOST_TEST(has(Till::take(json), "\"role\":\"pos\""));
    BOOST_TEST(lojal_request(till.client, "GET", "/v1/nothing", nullptr, -1, &status, &json) ==
               LOJAL_E_NOT_FOUND);
    BOOST_TEST(status == 404);
    BOOST_TEST(has(Till::take(json), "\"not_found\""));

    Till stranger(lojald.port, "no-such-token");
    BOOST_TEST(lojal_member_lookup(stranger.client, LOJAL_LOOKUP_CARD, "x", -1, &json) ==
               LOJAL_E_UNAUTHORIZED);
}

BOOST_AUTO_TEST_CASE(scans_arrive_as_events_by_polling_and_by_callback) {
    ScannerRig rig;
    Till till(rig.lojald->port, kPosToken);
    BOOST_REQUIRE(!till.waitForEvent({"\"type\":\"connection\"", "\"online\""}).empty());
    uint64_t previous = 0;
    for (const std::string label : {"4006381333931", "73513537", "2990000000018"}) {
        rig.scan(label);
        uint64_t seq = 0;
        const std::string scan = till.waitForEvent({"\"type\":\"scan\"", label}, 10000, &seq);
        BOOST_TEST(!scan.empty(), label);
        BOOST_TEST(seq > previous);  // lojald's seq, rising
        previous = seq;
    }
    BOOST_TEST(has(till.seen.back().second, "\"kind\":\"member_card\""));

    // The callback runs on the library's thread; events then bypass the queue.
    struct Received {
        std::mutex mutex;
        std::condition_variable changed;
        std::vector<std::string> events;
    } received;
    const auto callback = [](void* user, uint64_t, const char* json) {
        auto* r = static_cast<Received*>(user);
        std::lock_guard lock(r->mutex);
        r->events.emplace_back(json);
        r->changed.notify_all();
    };
    BOOST_REQUIRE_EQUAL(lojal_set_event_callback(till.client, callback, &received), LOJAL_OK);
    rig.scan("96385074");
    {
        std::unique_lock lock(received.mutex);
        BOOST_TEST(received.changed.wait_for(lock, 10s, [&] {
            return !received.events.empty() && has(received.events.back(), "96385074");
        }));
    }
    BOOST_REQUIRE_EQUAL(lojal_set_event_callback(till.client, nullptr, nullptr), LOJAL_OK);
    char* json = nullptr;
    uint64_t seq = 0;
    BOOST_TEST(lojal_event_next(till.client, 0, &seq, &json) == LOJAL_E_TIMEOUT);
}

BOOST_AUTO_TEST_CASE(events_resume_exactly_once_across_a_kill_9_of_lojald) {
    ScannerRig rig;
    RunningLojald& lojald = *rig.lojald;
    Till till(lojald.port, kPosToken);
    BOOST_REQUIRE(!till.waitForEvent({"\"type\":\"connection\"", "\"online\""}).empty());
    const std::vector<std::string> before = {"4006381333931", "73513537", "96385074"};
    for (const auto& label : before) rig.scan(label);
    BOOST_REQUIRE(!till.waitForEvent({"\"type\":\"scan\"", before.back()}).empty());

    lojald.process->signal(SIGKILL);
    BOOST_REQUIRE(lojald.process->waitForExit().has_value());
    BOOST_REQUIRE(!till.waitForEvent({"\"type\":\"connection\"", "\"offline\""}).empty());
    lojald.process.emplace(std::vector<std::string>{"--config", lojald.config}, lojald.dir.path());
    BOOST_REQUIRE(lojald.process->waitUntilReady());
    rig.waitReady();
    // Scanned while the library may still be reconnecting: the replay brings them.
    const std::vector<std::string> after = {"5901234123457", "40170725", "2990000000025"};
    for (const auto& label : after) rig.scan(label);
    BOOST_REQUIRE(!till.waitForEvent({"\"type\":\"scan\"", after.back()}, 20000).empty());
    BOOST_TEST(lojal_event_next(till.client, 300, nullptr, nullptr) == LOJAL_E_INVALID_ARG);

    // Every label exactly once, in order; seq rising within each run of lojald.
    std::vector<std::string> scanned;
    uint64_t last = 0;
    bool online = false;
    for (const auto& [seq, event] : till.seen) {
        if (has(event, "\"type\":\"connection\"") && has(event, "\"online\"")) online = true;
        if (has(event, "\"type\":\"reset\"")) last = 0;
        if (seq != 0) {
            BOOST_TEST(seq > last, event);
            last = seq;
        }
        if (!has(event, "\"type\":\"scan\"")) continue;
        for (const auto& label : before)
            if (has(event, label)) scanned.push_back(label);
        for (const auto& label : after)
            if (has(event, label)) scanned.push_back(label);
    }
    std::vector<std::string> expected = before;
    expected.insert(expected.end(), after.begin(), after.end());
    BOOST_TEST(scanned == expected, boost::test_tools::per_element());
    BOOST_TEST(online);
    // Nothing more comes: no event is delivered twice after the last one.
    char* json = nullptr;
    uint64_t seq = 0;
    while (lojal_event_next(till.client, 300, &seq, &json) == LOJAL_OK) {
        const std::string event = Till::take(json);
        BOOST_TEST(!has(event, "\"type\":\"scan\""), event);
    }
}

BOOST_AUTO_TEST_CASE(card_reads_and_payments_through_zvt_sim) {
    TerminalRig rig;
    ZvtSim& sim = rig.sim;
    Till till(rig.lojald->port, kPosToken);
    char* json = nullptr;
    BOOST_TEST(lojal_terminal_abort(till.client, "t1", -1, &json) == LOJAL_E_CONFLICT);
    BOOST_TEST(std::string(lojal_last_error_code()) == "no_flow_running");

    // A card read: the result carries the card's token.
    uint64_t op = 0;
    BOOST_REQUIRE_EQUAL(
        lojal_terminal_start(till.client, "t1", LOJAL_TERMINAL_READ_CARD, nullptr, -1, &op),
        LOJAL_OK);
    BOOST_TEST(op != 0u);
    BOOST_TEST(lojal_terminal_wait(till.client, op, 10000, &json) == LOJAL_OK, lojal_last_error());
    const std::string read = Till::take(json);
    BOOST_TEST(has(read, "\"ok\":true"), read);
    BOOST_TEST(has(read, "\"card\":{"), read);
    BOOST_TEST(has(read, "\"token\":\"ct_"), read);
    BOOST_TEST(has(read, "\"reference\":\"lojal-"), read);

    // A payment; then the flow as lojald reports it.
    BOOST_REQUIRE_EQUAL(
        lojal_terminal_start(till.client, "t1", LOJAL_TERMINAL_PAYMENT, "129.00", -1, &op),
        LOJAL_OK);
    BOOST_TEST(lojal_terminal_wait(till.client, op, 10000, &json) == LOJAL_OK, lojal_last_error());
    const std::string paid = Till::take(json);
    BOOST_TEST(has(paid, "\"flow\":\"payment\""), paid);
    BOOST_TEST(has(paid, "\"ok\":true"), paid);
    BOOST_TEST(lojal_terminal_flow(till.client, "t1", -1, &json) == LOJAL_OK);
    const std::string flow = Till::take(json);
    BOOST_TEST(has(flow, "\"stage\":\"finished\""), flow);
    BOOST_TEST(has(flow, "\"flow\":\"payment\""), flow);

    // A read that waits for a card: wait(0) says it runs; abort ends it.
    sim.mode("wait");
    BOOST_REQUIRE_EQUAL(
        lojal_terminal_start(till.client, "t1", LOJAL_TERMINAL_READ_CARD, nullptr, -1, &op),
        LOJAL_OK);
    BOOST_TEST(lojal_terminal_wait(till.client, op, 0, &json) == LOJAL_E_TIMEOUT);
    BOOST_TEST(!till.waitForEvent({"\"text\":\"insert card\""}).empty());
    uint64_t second = 0;
    BOOST_TEST(lojal_terminal_start(till.client, "t1", LOJAL_TERMINAL_PAYMENT, "5.00", -1,
                                    &second) == LOJAL_E_BUSY);
    BOOST_TEST(std::string(lojal_last_error_code()) == "flow_in_progress");
    BOOST_TEST(lojal_terminal_abort(till.client, "t1", -1, &json) == LOJAL_OK, lojal_last_error());
    Till::take(json);
    BOOST_TEST(lojal_terminal_wait(till.client, op, 10000, &json) == LOJAL_OK);
    const std::string aborted = Till::take(json);
    BOOST_TEST(has(aborted, "\"ok\":false"), aborted);
    BOOST_TEST(has(aborted, "\"code\":108"), aborted);

    BOOST_TEST(lojal_terminal_start(till.client, "t9", LOJAL_TERMINAL_READ_CARD, nullptr, -1,
                                    &op) == LOJAL_E_NOT_FOUND);
    BOOST_TEST(lojal_terminal_start(till.client, "t1", LOJAL_TERMINAL_PAYMENT, "12,50", -1, &op) ==
               LOJAL_E_INVALID_ARG);

    // lojald's side of references: a register's own reference is taken and
    // echoed; a bad one, or a read's body that is not JSON, is refused.
    sim.mode("approve");
    int status = 0;
    BOOST_TEST(
        lojal_request(till.client, "POST", "/v1/terminals/t1/read-card",
                      R"({"reference":"kassa-3:0042_a.b-c"})", -1, &status, &json) == LOJAL_OK,
        lojal_last_error());
    BOOST_TEST(has(Till::take(json), "\"reference\":\"kassa-3:0042_a.b-c\""));
    BOOST_TEST(!till.waitForEvent({"\"stage\":\"finished\"", "kassa-3:0042_a.b-c"}).empty());
    for (const std::string& bad :
         {std::string(R"({"reference":"has space"})"), std::string(R"({"reference":""})"),
          std::string(R"({"reference":42})"), R"({"reference":")" + std::string(65, 'r') + "\"}"}) {
        BOOST_TEST(lojal_request(till.client, "POST", "/v1/terminals/t1/read-card", bad.c_str(), -1,
                                 &status, &json) == LOJAL_E_INVALID_ARG,
                   bad);
        const std::string refused = Till::take(json);
        BOOST_TEST(has(refused, "\"$.reference\""), refused);
    }
    BOOST_TEST(lojal_request(till.client, "POST", "/v1/terminals/t1/read-card", "{", -1, &status,
                             &json) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(has(Till::take(json), "\"invalid_json\""));
}

BOOST_AUTO_TEST_CASE(a_payment_whose_answer_is_lost_is_never_sent_twice) {
    TerminalRig rig;
    RunningLojald& lojald = *rig.lojald;
    const auto paymentsStarted = [&] {
        EventClient replay(lojald.port, kPosToken, "?since=0");
        size_t count = 0;
        for (std::string event; !(event = replay.next(500ms)).empty();)
            count += has(event, "\"flow\":\"payment\"") && has(event, "\"stage\":\"started\"");
        return count;
    };
    char* json = nullptr;
    uint64_t op = 0;
    {
        // lojald starts the payment; its answer never reaches the till.
        LossyProxy proxy(lojald.port, "/payments", LossyProxy::Loses::answer);
        Till till(proxy.url(), kPosToken);
        const auto start = std::chrono::steady_clock::now();
        BOOST_TEST(lojal_terminal_start(till.client, "t1", LOJAL_TERMINAL_PAYMENT, "10.00", 1000,
                                        &op) == LOJAL_OK,
                   lojal_last_error());
        BOOST_TEST((std::chrono::steady_clock::now() - start < 1100ms));
        BOOST_TEST(proxy.lost() == 1u);
        BOOST_TEST(lojal_terminal_wait(till.client, op, 10000, &json) == LOJAL_OK,
                   lojal_last_error());
        const std::string paid = Till::take(json);
        BOOST_TEST(has(paid, "\"ok\":true"), paid);
        BOOST_TEST(has(paid, "\"amount\":\"10.00\""), paid);
    }
    BOOST_TEST(paymentsStarted() == 1u);  // asked, not sent again
    {
        // The request itself is lost: lojald shows no such payment, and says so.
        LossyProxy proxy(lojald.port, "/payments", LossyProxy::Loses::request);
        Till till(proxy.url(), kPosToken);
        const auto start = std::chrono::steady_clock::now();
        BOOST_TEST(lojal_terminal_start(till.client, "t1", LOJAL_TERMINAL_PAYMENT, "11.00", 1000,
                                        &op) == LOJAL_E_TIMEOUT);
        BOOST_TEST(has(lojal_last_error(), "none was started"), lojal_last_error());
        BOOST_TEST((std::chrono::steady_clock::now() - start < 1100ms));
    }
    BOOST_TEST(paymentsStarted() == 1u);
}

BOOST_AUTO_TEST_CASE(a_flow_lost_with_a_lojald_restart_is_reported_not_awaited) {
    TerminalRig rig;
    ZvtSim& sim = rig.sim;
    RunningLojald& lojald = *rig.lojald;
    Till till(lojald.port, kPosToken);
    sim.mode("wait");  // the card never comes
    uint64_t op = 0;
    BOOST_REQUIRE_EQUAL(
        lojal_terminal_start(till.client, "t1", LOJAL_TERMINAL_READ_CARD, nullptr, -1, &op),
        LOJAL_OK);
    lojald.process->signal(SIGKILL);
    BOOST_REQUIRE(lojald.process->waitForExit().has_value());
    lojald.process.emplace(std::vector<std::string>{"--config", lojald.config}, lojald.dir.path());
    BOOST_REQUIRE(lojald.process->waitUntilReady());
    char* json = nullptr;
    BOOST_TEST(lojal_terminal_wait(till.client, op, 20000, &json) == LOJAL_E_NOT_FOUND,
               lojal_last_error());
    BOOST_TEST(has(lojal_last_error(), "restarted"), lojal_last_error());
}

BOOST_AUTO_TEST_CASE(https_verifies_lojalds_certificate) {
    Pki pki;
    const int tlsPort = freePort();
    RunningLojald lojald(storeConfig("[server]\ntls_listen = 127.0.0.1:" + std::to_string(tlsPort) +
                                     "\ntls_cert_file = " + pki.file("server.pem") +
                                     "\ntls_key_file = " + pki.file("server.key") + "\n"));
    const std::string url = "https://127.0.0.1:" + std::to_string(tlsPort);
    char* json = nullptr;
    {
        Till trusted(url, kPosToken);
        BOOST_REQUIRE_EQUAL(
            lojal_set_option_str(trusted.client, LOJAL_OPT_CA_FILE, pki.file("ca.pem").c_str()),
            LOJAL_OK);
        BOOST_TEST(lojal_request(trusted.client, "GET", "/v1/whoami", nullptr, 5000, nullptr,
                                 &json) == LOJAL_OK,
                   lojal_last_error());
        BOOST_TEST(has(Till::take(json), "\"role\":\"pos\""));
        BOOST_TEST(!trusted.waitForEvent({"\"type\":\"connection\"", "\"online\""}).empty());
    }
    {
        Till untrusted(url, kPosToken);  // the system's CAs never signed the test CA
        BOOST_TEST(lojal_health(untrusted.client, 5000, &json) == LOJAL_E_UNAVAILABLE);
        BOOST_TEST(json == nullptr);
        BOOST_TEST(has(lojal_last_error(), "ertificate"), lojal_last_error());
    }
}
