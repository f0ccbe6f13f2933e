// liblojal against peers that misbehave, and from several threads: every call
// ends within its timeout, lojal_cancel() and lojal_client_free() end calls
// blocked on other threads, SIGPIPE never reaches the host, and every entry
// point refuses bad arguments with a code and a message. No lojald here (so the
// suite also runs under ThreadSanitizer): the peers are in PeerServers.h.
#define BOOST_TEST_MODULE liblojal threading and failures
#include <boost/test/unit_test.hpp>

#include <lojal/lojal.h>
#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "PeerServers.h"

using namespace lojal::test;
using Clock = std::chrono::steady_clock;

namespace {

long long elapsedMs(Clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

// A handle without the event thread, so the peer sees only the test's calls.
struct Handle {
    lojal_client* client = nullptr;
    explicit Handle(const std::string& url) {
        BOOST_REQUIRE_EQUAL(lojal_client_new(url.c_str(), "pos-token", &client), LOJAL_OK);
        BOOST_REQUIRE_EQUAL(lojal_set_option_int(client, LOJAL_OPT_EVENTS, 0), LOJAL_OK);
    }
    ~Handle() { lojal_client_free(client); }
};

int freeLoopbackPort() {
    PeerServer probe(PeerServer::Behaviour::closeAtOnce);
    return probe.port();  // closed again when probe goes
}

const std::string kHealth =
    R"({"api_version":"1.0","status":"ok","store_id":"s","version":"0.1.0"})";

}  // namespace

BOOST_AUTO_TEST_CASE(a_stalled_lojald_times_out_within_the_timeout_plus_100_ms) {
    PeerServer stalled(PeerServer::Behaviour::stall);
    Handle handle(stalled.url());
    for (const int timeout : {150, 400}) {
        char* json = reinterpret_cast<char*>(1);
        const auto start = Clock::now();
        const int rc =
            lojal_member_lookup(handle.client, LOJAL_LOOKUP_PHONE, "0701234567", timeout, &json);
        const long long took = elapsedMs(start);
        BOOST_TEST(rc == LOJAL_E_TIMEOUT, lojal_last_error());
        BOOST_TEST(json == nullptr);  // set to NULL on every failure
        BOOST_TEST(took >= timeout - 5);
        BOOST_TEST(took < timeout + 100,
                   "took " << took << " ms for a " << timeout << " ms timeout");
        BOOST_TEST(lojal_last_http_status() == 0);
    }
}

BOOST_AUTO_TEST_CASE(nothing_listening_is_unavailable_in_under_half_a_second) {
    const int port = freeLoopbackPort();
    Handle handle("http://127.0.0.1:" + std::to_string(port));
    char* json = nullptr;
    const auto start = Clock::now();
    const int rc = lojal_health(handle.client, 5000, &json);
    BOOST_TEST(rc == LOJAL_E_UNAVAILABLE, lojal_last_error());
    BOOST_TEST(elapsedMs(start) < 500);
    BOOST_TEST(std::string(lojal_last_error()).find("cannot be reached") != std::string::npos,
               lojal_last_error());
}

BOOST_AUTO_TEST_CASE(cancel_from_another_thread_ends_a_blocked_call) {
    PeerServer stalled(PeerServer::Behaviour::stall);
    Handle handle(stalled.url());
    BOOST_REQUIRE_EQUAL(lojal_set_option_str(handle.client, LOJAL_OPT_USER_AGENT, "blocked-call"),
                        LOJAL_OK);
    auto blocked = std::async(std::launch::async, [&] {
        char* json = nullptr;
        const int rc = lojal_health(handle.client, 10000, &json);
        return std::make_pair(rc, std::string(lojal_last_error()));
    });
    BOOST_REQUIRE(stalled.waitForRequests(1, "blocked-call"));  // out: the call is blocked
    const auto start = Clock::now();
    BOOST_REQUIRE_EQUAL(lojal_cancel(handle.client), LOJAL_OK);
    const auto [rc, message] = blocked.get();
    BOOST_TEST(rc == LOJAL_E_CANCELLED, message);
    BOOST_TEST(elapsedMs(start) < 500);

    // A wait for events is ended too. Whether the thread is already waiting
    // cannot be seen from outside, so cancel until it returns.
    auto waiting = std::async(std::launch::async, [&] {
        uint64_t seq = 0;
        char* json = nullptr;
        return lojal_event_next(handle.client, 10000, &seq, &json);
    });
    while (waiting.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready)
        lojal_cancel(handle.client);
    BOOST_TEST(waiting.get() == LOJAL_E_CANCELLED);

    // The handle works on after a cancel: the next call times out normally.
    char* json = nullptr;
    BOOST_TEST(lojal_health(handle.client, 100, &json) == LOJAL_E_TIMEOUT);
}

BOOST_AUTO_TEST_CASE(free_with_calls_in_flight_cancels_them_and_waits_for_them) {
    PeerServer stalled(PeerServer::Behaviour::stall);
    lojal_client* client = nullptr;
    BOOST_REQUIRE_EQUAL(lojal_client_new(stalled.url().c_str(), "t", &client), LOJAL_OK);
    BOOST_REQUIRE_EQUAL(lojal_set_option_int(client, LOJAL_OPT_EVENTS, 0), LOJAL_OK);
    BOOST_REQUIRE_EQUAL(lojal_set_option_str(client, LOJAL_OPT_USER_AGENT, "in-flight"), LOJAL_OK);
    std::vector<std::future<int>> calls;
    for (int i = 0; i < 4; ++i) {
        calls.push_back(std::async(std::launch::async, [client] {
            char* json = nullptr;
            return lojal_health(client, 10000, &json);
        }));
    }
    BOOST_REQUIRE(stalled.waitForRequests(4, "in-flight"));
    const auto start = Clock::now();
    lojal_client_free(client);  // returns once the four have returned
    BOOST_TEST(elapsedMs(start) < 1000);
    // The library has left every call when free returns, but std::async publishes
    // each result a moment after the call returns, so wait for the futures rather
    // than expect them ready at once. A call that still touched the freed handle is
    // what the sanitizer builds catch.
    for (auto& call : calls) {
        BOOST_REQUIRE(call.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
        BOOST_TEST(call.get() == LOJAL_E_CANCELLED);
    }
}

BOOST_AUTO_TEST_CASE(free_right_after_new_while_the_event_thread_connects) {
    PeerServer stalled(PeerServer::Behaviour::stall);
    for (int i = 0; i < 20; ++i) {
        lojal_client* client = nullptr;
        BOOST_REQUIRE_EQUAL(lojal_client_new(stalled.url().c_str(), "t", &client), LOJAL_OK);
        const auto start = Clock::now();
        lojal_client_free(client);
        BOOST_TEST(elapsedMs(start) < 1000);
    }
    lojal_client_free(nullptr);  // NULL-safe
}

BOOST_AUTO_TEST_CASE(another_major_api_version_is_refused) {
    PeerServer newer(PeerServer::Behaviour::answer,
                     R"({"api_version":"2.0","status":"ok","version":"9.0.0"})");
    Handle handle(newer.url());
    char* json = nullptr;
    BOOST_TEST(lojal_health(handle.client, 2000, &json) == LOJAL_E_VERSION);
    BOOST_TEST(std::string(lojal_last_error()).find("2.0") != std::string::npos,
               lojal_last_error());
    lojal_free(json);
    BOOST_TEST(lojal_member_lookup(handle.client, LOJAL_LOOKUP_PHONE, "0701234567", 2000, &json) ==
               LOJAL_E_VERSION);

    // A lojald from before api_version: its paths are /v1, so it passes; so
    // does a newer minor version.
    PeerServer older(PeerServer::Behaviour::answer, R"({"status":"ok","version":"0.0.9"})");
    Handle old(older.url());
    BOOST_TEST(lojal_health(old.client, 2000, &json) == LOJAL_OK, lojal_last_error());
    lojal_free(json);
    PeerServer minorAhead(PeerServer::Behaviour::answer, R"({"api_version":"1.7","status":"ok"})");
    Handle ahead(minorAhead.url());
    BOOST_TEST(lojal_health(ahead.client, 2000, &json) == LOJAL_OK, lojal_last_error());
    lojal_free(json);

    PeerServer notLojald(PeerServer::Behaviour::answer, "<html>hello</html>");
    Handle other(notLojald.url());
    BOOST_TEST(lojal_health(other.client, 2000, &json) == LOJAL_E_PROTOCOL);
    lojal_free(json);
}

BOOST_AUTO_TEST_CASE(a_peer_that_closes_mid_request_never_raises_sigpipe_in_the_host) {
    // It answers the handshake, then reads 4 KiB of the next request and closes
    // with the rest unread: the client's write hits a reset connection.
    PeerServer closer(PeerServer::Behaviour::answer, kHealth);
    Handle handle(closer.url());
    const std::string body(8 * 1024 * 1024, ' ');
    auto result = std::async(std::launch::async, [&] {
        // This thread takes SIGPIPE as a host thread would: unblocked, default action.
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
        int status = 0;
        char* answer = nullptr;
        const int rc = lojal_request(handle.client, "POST", "/v1/receipts", body.c_str(), 5000,
                                     &status, &answer);
        lojal_free(answer);
        sigset_t after;
        pthread_sigmask(SIG_BLOCK, nullptr, &after);
        sigset_t pending;
        sigpending(&pending);
        return std::make_tuple(rc, sigismember(&after, SIGPIPE), sigismember(&pending, SIGPIPE));
    });
    const auto [rc, blockedAfter, pendingAfter] = result.get();
    // Alive: no SIGPIPE killed the process. The answer may be the peer's 200 (it
    // answered before closing) or the broken connection.
    BOOST_TEST((rc == LOJAL_OK || rc == LOJAL_E_UNAVAILABLE), lojal_strerror(rc));
    BOOST_TEST(blockedAfter == 0);  // the host thread's mask is as it was
    BOOST_TEST(pendingAfter == 0);  // and no SIGPIPE is left for it
}

BOOST_AUTO_TEST_CASE(every_entry_point_refuses_bad_arguments) {
    lojal_client* client = nullptr;
    char* json = nullptr;
    uint64_t op = 0;
    int status = 0;
    BOOST_TEST(lojal_client_new(nullptr, "t", &client) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_client_new("http://127.0.0.1:1", "t", nullptr) == LOJAL_E_INVALID_ARG);
    for (const char* url : {"", "ftp://x:1", "http://", "http://h:1/v1", "http://u@h:1",
                            "http://h:1?x=1", "http://h:99999", "not a url\n"}) {
        BOOST_TEST(lojal_client_new(url, "t", &client) == LOJAL_E_INVALID_ARG, url);
        BOOST_TEST(client == nullptr);
        BOOST_TEST(std::strlen(lojal_last_error()) > 0);
    }
    BOOST_TEST(lojal_client_new("http://127.0.0.1:1", "", &client) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_client_new("http://127.0.0.1:1", "a b", &client) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_client_new("http://127.0.0.1:1", std::string(600, 'x').c_str(), &client) ==
               LOJAL_E_INVALID_ARG);

    Handle handle("http://127.0.0.1:1");
    lojal_client* c = handle.client;
    BOOST_TEST(lojal_health(nullptr, 100, &json) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_health(c, 100, nullptr) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_health(c, 600001, &json) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_health(c, 0, &json) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_set_option_int(c, LOJAL_OPT_CONNECT_TIMEOUT_MS, 0) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_set_option_int(c, LOJAL_OPT_EVENTS, 2) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_set_option_int(c, static_cast<lojal_option>(999), 1) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_set_option_int(c, static_cast<lojal_option>(-5), 1) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_set_option_int(c, LOJAL_OPT_INT_MAX_, 1) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_set_option_int(c, LOJAL_OPT_USER_AGENT, 1) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_set_option_str(c, LOJAL_OPT_REQUEST_TIMEOUT_MS, "1") == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_set_option_str(c, LOJAL_OPT_REGISTER_ID, nullptr) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_set_option_str(c, LOJAL_OPT_REGISTER_ID, "kassa\r\n3") == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_set_option_str(c, LOJAL_OPT_REGISTER_ID, std::string(300, 'r').c_str()) ==
               LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_signup(c, "0701234567", "{}", nullptr, 100, &json) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(std::string(lojal_last_error()).find("LOJAL_OPT_REGISTER_ID") != std::string::npos);
    BOOST_TEST(lojal_set_option_str(c, LOJAL_OPT_REGISTER_ID, "kassa-3") == LOJAL_OK);
    BOOST_TEST(lojal_set_option_str(c, LOJAL_OPT_CASHIER_ID, "c-17") == LOJAL_OK);
    BOOST_TEST(lojal_signup(c, "0701234567", "[1]", nullptr, 100, &json) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_signup(c, "0701234567", "{", nullptr, 100, &json) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_signup(c, "0701234567", "{}", "bad key!", 100, &json) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_signup(c, nullptr, "{}", nullptr, 100, &json) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_member_lookup(c, static_cast<lojal_lookup>(7), "x", 100, &json) ==
               LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_member_lookup(c, static_cast<lojal_lookup>(-1000), "x", 100, &json) ==
               LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_member_lookup(c, LOJAL_LOOKUP_CARD, "", 100, &json) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_receipt_submit(c, "not json", nullptr, 100, &json) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_receipt_submit(c, R"({"receipt_id":"a"})", "b", 100, &json) ==
               LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_otp_verify(c, "0701234567", nullptr, 100, &json) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_request(c, "TRACE", "/v1/health", nullptr, 100, &status, &json) ==
               LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_request(c, "GET", "v1/health", nullptr, 100, &status, &json) ==
               LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_request(c, "GET", "/v1/health HTTP/1.1\r\nX: y", nullptr, 100, &status,
                             &json) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_terminal_start(c, "t1", LOJAL_TERMINAL_PAYMENT, nullptr, 100, &op) ==
               LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_terminal_start(c, "t1", LOJAL_TERMINAL_READ_CARD, "1.00", 100, &op) ==
               LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_terminal_start(c, "../admin", LOJAL_TERMINAL_READ_CARD, nullptr, 100, &op) ==
               LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_terminal_start(c, "t1", static_cast<lojal_terminal_op>(0), nullptr, 100,
                                    &op) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_terminal_start(c, "t1", static_cast<lojal_terminal_op>(4096), nullptr, 100,
                                    &op) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_terminal_wait(c, 12345, 0, &json) == LOJAL_E_NOT_FOUND);
    BOOST_TEST(lojal_event_next(c, -1, nullptr, nullptr) == LOJAL_E_INVALID_ARG);
    // The event thread may have queued its "offline" before Handle turned events
    // off (a CI run under load saw it); nothing can come after, so drain that.
    uint64_t seq = 7;
    int rc = LOJAL_OK;
    while ((rc = lojal_event_next(c, 0, &seq, &json)) == LOJAL_OK) {
        BOOST_TEST(std::string(json).find("\"connection\"") != std::string::npos, json);
        lojal_free(json);
    }
    BOOST_TEST(rc == LOJAL_E_TIMEOUT);  // none queued
    BOOST_TEST(seq == 0u);
    BOOST_TEST(lojal_idempotency_key_new(nullptr) == LOJAL_E_INVALID_ARG);
    BOOST_TEST(lojal_idempotency_key_new(&json) == LOJAL_OK);
    BOOST_TEST(std::strlen(json) == 36u);
    lojal_free(json);
    lojal_free(nullptr);
}

BOOST_AUTO_TEST_CASE(versions_and_error_texts) {
    BOOST_TEST(lojal_version() == LOJAL_VERSION_NUMBER);
    BOOST_TEST(std::string(lojal_version_string()) == "1.0.0");
    std::vector<std::string> texts;
    for (int code = LOJAL_OK; code <= LOJAL_E_EXPIRED; ++code) {
        const std::string text = lojal_strerror(code);
        BOOST_TEST(!text.empty());
        BOOST_TEST((std::find(texts.begin(), texts.end(), text) == texts.end()), text);
        texts.push_back(text);
    }
    BOOST_TEST(std::string(lojal_strerror(-1)) == "unknown error code");
    BOOST_TEST(std::string(lojal_strerror(9999)) == "unknown error code");
}

BOOST_AUTO_TEST_CASE(last_error_is_per_thread) {
    lojal_client* client = nullptr;
    BOOST_TEST(lojal_client_new("bad", "t", &client) == LOJAL_E_INVALID_ARG);
    const std::string mine = lojal_last_error();
    std::thread([] {
        BOOST_TEST(std::string(lojal_last_error()).empty());  // untouched on a new thread
        char* key = nullptr;
        BOOST_TEST(lojal_idempotency_key_new(&key) == LOJAL_OK);
        lojal_free(key);
    }).join();
    BOOST_TEST(lojal_last_error() == mine);
}
