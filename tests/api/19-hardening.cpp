#define BOOST_TEST_MODULE api_hardening
// What a careless or hostile client sends gets a clear answer and loses nothing:
// malformed framing, bodies slower than the limit, WebSocket closes, and the log
// lines that describe them.
#include <boost/test/unit_test.hpp>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/WebSocket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>

#include "ExampleReceipt.h"
#include "LojaldProcess.h"
#include "TestCrm.h"
#include "config/Config.h"

using namespace lojal::test;

namespace {

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

bool closes(const std::string& answer) {
    return has(answer, "Connection: close") || has(answer, "Connection: Close");
}

// Sends the bytes, waits `pause`, and reads what comes until the server closes.
std::string sendThenWait(int port, const std::string& bytes) {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port));
    socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    socket.setReceiveTimeout(Poco::Timespan(10, 0));
    std::string answer;
    char buffer[4096];
    try {
        for (int n; (n = socket.receiveBytes(buffer, sizeof buffer)) > 0;) answer.append(buffer, n);
    } catch (const Poco::Exception&) {
    }
    return answer;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_content_length_that_is_no_number_gets_400_and_a_close) {
    RunningLojald lojald;
    const std::string head =
        "POST /v1/receipts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
        "Bearer " +
        std::string(kPosToken) + "\r\nContent-Type: application/json\r\n";
    for (const std::string framing :
         {"Content-Length: abc\r\n", "Content-Length: -5\r\n", "Content-Length: 5, 5\r\n",
          "Content-Length: 99999999999999999999999\r\n",
          "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n"}) {
        BOOST_TEST_CONTEXT(framing) {
            // No "Connection: close" from the client: lojald must close by itself.
            const std::string answer = sendThenWait(lojald.port, head + framing + "\r\n{}");
            BOOST_TEST(rawStatus(answer) == 400, answer);
            BOOST_TEST(errorCode(answer.substr(answer.find("\r\n\r\n") + 4)) == "invalid_request");
            BOOST_TEST(closes(answer), answer);
        }
    }
    BOOST_TEST(httpRequest(lojald.port, "GET", "/v1/health").status == 200);
}

BOOST_AUTO_TEST_CASE(a_body_slower_than_the_request_timeout_gets_408) {
    RunningLojald lojald("[server]\nrequest_timeout = 1\n");
    const std::string request =
        "POST /v1/receipts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
        "Bearer " +
        std::string(kPosToken) +
        "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        "{\"receipt_id\":";
    const std::string answer = sendThenWait(lojald.port, request);
    BOOST_TEST(rawStatus(answer) == 408, answer);
    BOOST_TEST(errorCode(answer.substr(answer.find("\r\n\r\n") + 4)) == "request_timeout");
    BOOST_TEST(closes(answer), answer);
}

BOOST_AUTO_TEST_CASE(the_events_log_line_names_the_sequence) {
    RunningLojald lojald;
    EventClient events(lojald.port, kPosToken, "?since=0");
    BOOST_TEST(lojald.process->waitForOutput("register-1 connected from seq 0"));
    BOOST_TEST(!has(lojald.process->output(), "ERRFMT"));
}

BOOST_AUTO_TEST_CASE(a_clients_close_is_answered_with_1000) {
    RunningLojald lojald;
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(lojald.port));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/v1/events",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", std::string("Bearer ") + kPosToken);
    Poco::Net::HTTPResponse response;
    Poco::Net::WebSocket socket(session, request, response);
    socket.shutdown(Poco::Net::WebSocket::WS_NORMAL_CLOSE, "bye");
    socket.setReceiveTimeout(Poco::Timespan(5, 0));
    char buffer[256];
    int flags = 0;
    int n = 0;
    do {  // skip any event that was on its way
        n = socket.receiveFrame(buffer, sizeof buffer, flags);
    } while (n > 0 && (flags & Poco::Net::WebSocket::FRAME_OP_BITMASK) !=
                          Poco::Net::WebSocket::FRAME_OP_CLOSE);
    BOOST_REQUIRE((flags & Poco::Net::WebSocket::FRAME_OP_BITMASK) ==
                  Poco::Net::WebSocket::FRAME_OP_CLOSE);
    BOOST_REQUIRE(n >= 2);
    const int status =
        (static_cast<unsigned char>(buffer[0]) << 8) | static_cast<unsigned char>(buffer[1]);
    BOOST_TEST(status == 1000);  // RFC 6455 5.5.1: echo the close, not 1001 "going away"
}

BOOST_AUTO_TEST_CASE(out_of_range_and_boolean_quantities_get_400_and_are_not_stored) {
    RunningLojald lojald;
    const std::string bag = "\"quantity\":1,\"unit_price\":\"7.00\"";
    int n = 0;
    for (const std::string quantity : {"9999999999999999999", "18446744073709551615",
                                       "2305843009213694000", "true", "-0", "1e400"}) {
        BOOST_TEST_CONTEXT(quantity) {
            const std::string id = std::string("bad-quantity-").append(std::to_string(++n));
            std::string body = exampleReceiptWithId(id);
            body.replace(body.find(bag), bag.size(),
                         "\"quantity\":" + quantity + ",\"unit_price\":\"7.00\"");
            const auto answer = httpRequest(lojald.port, "POST", "/v1/receipts", kPosToken, body);
            BOOST_TEST(answer.status == 400, answer.body);
            BOOST_TEST(httpRequest(lojald.port, "GET", "/v1/receipts/" + id, kPosToken).status ==
                       404);
        }
    }
}

namespace {

// Runs `promtool check metrics` on text; its verdict, or nothing without promtool.
std::optional<std::pair<int, std::string>> promtoolCheck(const std::string& text) {
    if (::access("/usr/bin/promtool", X_OK) != 0) return std::nullopt;
    TempDir dir;
    const std::string file = dir.file("metrics.txt");
    std::ofstream(file) << text;
    const std::string command = "/usr/bin/promtool check metrics < " + file + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    std::string output;
    char buffer[512];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    const int status = ::pclose(pipe);
    return std::make_pair(WEXITSTATUS(status), output);
}

size_t lines(const std::string& text, const std::string& prefix) {
    size_t count = 0;
    const std::string start = std::string(1, '\n').append(prefix);
    for (size_t at = 0; (at = text.find(start, at)) != std::string::npos; ++at) ++count;
    return count;
}

}  // namespace

BOOST_AUTO_TEST_CASE(made_up_methods_cannot_grow_or_break_the_metrics) {
    // A device, so its gauges are in the exposition that promtool checks.
    RunningLojald lojald("[device.scanner-1]\ndriver = serial-scanner\nport = /nonexistent/s\n");
    // 2,000 requests with methods nobody defined, pipelined on one connection.
    std::string flood;
    for (int i = 0; i < 2000; ++i) {
        std::string method = "GE\"T}";
        if (i % 2 == 0) method = std::string("M").append(std::to_string(i));
        flood += method;
        flood += " /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }
    flood += "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    const std::string answers = rawExchange(lojald.port, flood);
    BOOST_TEST(has(answers, "HTTP/1.1 405"));
    const std::string metrics = httpRequest(lojald.port, "GET", "/metrics", kAdminToken).body;
    BOOST_TEST(!has(metrics, "GE\"T"));
    BOOST_TEST(has(metrics, "method=\"other\",status=\"405\"} 2000"), metrics);
    BOOST_TEST(lines(metrics, "lojal_http_requests_total{") < 10u);
    BOOST_TEST(has(metrics, "device=\"scanner-1\""), metrics);
    if (const auto verdict = promtoolCheck(metrics)) {
        BOOST_TEST(verdict->first == 0, verdict->second);
    } else {
        BOOST_TEST_MESSAGE(
            "promtool is not installed (Debian package prometheus): format check skipped");
    }
}

BOOST_AUTO_TEST_CASE(log_files_are_created_0600_whatever_the_umask) {
    TempDir dir;
    const int port = freePort();
    const std::string config =
        writeTestConfig(dir, port, "[log]\ntarget = file\nfile = " + dir.file("lojald.log") + "\n");
    const mode_t before = ::umask(0);  // the most permissive a careless start could have
    LojaldProcess lojald({"--config", config}, dir.path());
    ::umask(before);
    BOOST_REQUIRE(eventually([&] {
        try {
            return httpRequest(port, "GET", "/v1/health").status == 200;
        } catch (const Poco::Exception&) {
            return false;  // not listening yet
        }
    }));
    struct stat info {};
    BOOST_REQUIRE(::stat(dir.file("lojald.log").c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 0777) == 0600u);
    BOOST_REQUIRE(::stat(dir.file("lojal.db").c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 0077) == 0u);
}

BOOST_AUTO_TEST_CASE(the_config_endpoint_shows_no_secret_of_any_driver_or_plugin) {
    RunningLojald lojald(
        "[device.t1]\ndriver = zvt\nport = /nonexistent/zvt\n"
        "card_token_key = card-token-key-never-shown-0123\npassword = 271828\n"
        "[crm]\napi_key = crm-api-key-never-shown\n");
    const std::string body = httpRequest(lojald.port, "GET", "/v1/config", kAdminToken).body;
    for (const char* secret : {"card-token-key-never-shown-0123", "271828",
                               "crm-api-key-never-shown", "test-signup-secret"}) {
        BOOST_TEST(!has(body, secret), secret);
    }
    BOOST_TEST(has(body, "\"card_token_key\":\"<redacted>\""), body);
}

BOOST_AUTO_TEST_CASE(a_monitor_token_reads_metrics_and_health_only) {
    RunningLojald lojald;
    const int port = lojald.port;
    BOOST_TEST(httpRequest(port, "GET", "/metrics", kMonitorToken).status == 200);
    BOOST_TEST(httpRequest(port, "GET", "/v1/health", kMonitorToken).status == 200);
    const std::pair<const char*, const char*> elsewhere[] = {
        {"GET", "/v1/whoami"},
        {"GET", "/v1/config"},
        {"GET", "/v1/devices"},
        {"GET", "/v1/events"},
        {"GET", "/v1/ports"},
        {"GET", "/v1/queue"},
        {"POST", "/v1/receipts"},
        {"GET", "/v1/receipts/x"},
        {"POST", "/v1/signups"},
        {"GET", "/v1/signups/1"},
        {"POST", "/v1/otp"},
        {"PUT", "/v1/log-level"},
        {"GET", "/v1/members/lookup?phone=0701234567"},
        {"GET", "/v1/offers"},
        {"POST", "/v1/members/M1/erase"},
        {"POST", "/v1/terminals/t1/read-card"}};
    for (const auto& [method, path] : elsewhere) {
        BOOST_TEST_CONTEXT(method << " " << path) {
            const auto answer = httpRequest(port, method, path, kMonitorToken, "{}");
            BOOST_TEST(answer.status == 403);
            BOOST_TEST(errorCode(answer.body) == "forbidden");
        }
    }
}

BOOST_AUTO_TEST_CASE(the_log_level_takes_documented_names_only_and_logs_each_change_first) {
    RunningLojald lojald;
    for (const char* level : {"3", "none", "DEBUG", "Trace", " debug", "silent"}) {
        const auto answer = httpRequest(lojald.port, "PUT", "/v1/log-level", kAdminToken,
                                        std::string("{\"level\":\"") + level + "\"}");
        BOOST_TEST(answer.status == 400, level);
    }
    BOOST_TEST(httpRequest(lojald.port, "PUT", "/v1/log-level", kAdminToken, R"({"level":"fatal"})")
                   .status == 200);
    // Logged at notice before the change, so it is there although fatal hides notices.
    BOOST_TEST(
        lojald.process->waitForOutput("log level changes from debug to fatal (token it-admin)"));
}

BOOST_AUTO_TEST_CASE(foreign_hosts_and_origins_are_refused) {
    RunningLojald lojald;
    const auto ask = [&](const std::string& headers) {
        return rawExchange(lojald.port, "GET /v1/whoami HTTP/1.1\r\n" + headers +
                                            "Authorization: Bearer " + kAdminToken +
                                            "\r\nConnection: close\r\n\r\n");
    };
    // DNS rebinding: a page's own name that resolves to 127.0.0.1.
    const std::string rebound =
        ask("Host: rebind.evil.example:" + std::to_string(lojald.port) + "\r\n");
    BOOST_TEST(rawStatus(rebound) == 421, rebound);
    BOOST_TEST(has(rebound, "unknown_host"), rebound);
    BOOST_TEST(rawStatus(ask("Host: localhost:" + std::to_string(lojald.port) + "\r\n")) == 200);
    // A page of another site (CSRF), and a WebSocket it would open.
    const std::string foreign = ask("Host: 127.0.0.1\r\nOrigin: https://evil.example\r\n");
    BOOST_TEST(rawStatus(foreign) == 403, foreign);
    BOOST_TEST(has(foreign, "forbidden_origin"), foreign);
    const std::string upgrade =
        rawExchange(lojald.port,
                    "GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: null\r\n"
                    "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " +
                        std::string(kPosToken) + "\r\n\r\n");
    BOOST_TEST(rawStatus(upgrade) == 403, upgrade);
    BOOST_TEST(rawStatus(ask("Host: 127.0.0.1\r\nOrigin: http://127.0.0.1:" +
                             std::to_string(lojald.port) + "\r\n")) == 200);
}

// A configuration that holds secrets (here: API tokens) and is readable by
// every user gets a warning naming the fix; at 0640 it gets none.
BOOST_AUTO_TEST_CASE(a_world_readable_config_with_secrets_is_named_at_start) {
    TempDir dir;
    const int port = freePort();
    const std::string config = writeTestConfig(dir, port);
    ::chmod(config.c_str(), 0644);
    {
        LojaldProcess lojald({"--config", config}, dir.path());
        BOOST_REQUIRE(lojald.waitUntilReady());
        BOOST_TEST(lojald.output().find("is readable by every user") != std::string::npos);
        BOOST_TEST(lojald.output().find("chmod 0640 " + config) != std::string::npos);
    }
    ::chmod(config.c_str(), 0640);
    LojaldProcess lojald({"--config", config}, dir.path());
    BOOST_REQUIRE(lojald.waitUntilReady());
    BOOST_TEST(lojald.output().find("readable by every user") == std::string::npos);
}

// A secret from a file (KEY_file) reaches its peer; a config without secrets
// written in it raises no warning, whatever its mode.
BOOST_AUTO_TEST_CASE(a_secret_from_a_file_reaches_the_crm_and_is_not_a_readable_config) {
    TestCrm crm;
    TempDir dir;
    dir.write("crm.key", "key-from-a-root-only-file\n");
    const int port = freePort();
    const std::string config = dir.file("lojald.ini");
    dir.write("lojald.ini", "[server]\nlisten = 127.0.0.1:" + std::to_string(port) +
                                "\n[database]\npath = " + dir.file("lojal.db") +
                                "\n[sms]\ntemplates_dir = " + LOJAL_SOURCE_DIR +
                                "/daemon/sms/templates\n[auth]\ntokens_file = " +
                                dir.file("tokens") + "\n[crm]\nsync = on\nurl = " + crm.url() +
                                "\napi_key_file = " + dir.file("crm.key") + "\n");
    dir.write("tokens", "register-1 pos sha256:" + lojal::sha256Hex(kPosToken) + "\n");
    ::chmod(config.c_str(), 0644);
    LojaldProcess lojald({"--config", config}, dir.path());
    BOOST_REQUIRE(lojald.waitUntilReady());
    BOOST_REQUIRE_EQUAL(
        httpRequest(port, "POST", "/v1/receipts", kPosToken, exampleReceiptWithId("file-key-1"))
            .status,
        202);
    BOOST_REQUIRE(crm.waitForStored(1, 10s));
    BOOST_TEST(crm.lastApiKey() == "key-from-a-root-only-file");
    BOOST_TEST(lojald.output().find("readable by every user") == std::string::npos);
    BOOST_TEST(lojald.output().find("key-from-a-root-only-file") == std::string::npos);
}
