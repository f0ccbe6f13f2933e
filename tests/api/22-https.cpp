#define BOOST_TEST_MODULE api_https
// lojald's own HTTPS listener (server.tls_listen) with certificates made per run:
// the API and the /v1/events WebSocket over TLS, verified by the client against
// the test CA; plain HTTP on the TLS port gets no answer; a missing key file
// stops the start with a message naming the key.
#include <boost/test/unit_test.hpp>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/StreamCopier.h>

#include "LojaldProcess.h"
#include "TestPki.h"

using namespace lojal::test;

namespace {

struct Https {
    Pki pki;
    int tlsPort = freePort();
    std::optional<RunningLojald> lojald;
    Poco::Net::Context::Ptr client;

    Https() {
        Poco::Net::initializeSSL();
        lojald.emplace("[server]\ntls_listen = 127.0.0.1:" + std::to_string(tlsPort) +
                       "\ntls_cert_file = " + pki.file("server.pem") +
                       "\ntls_key_file = " + pki.file("server.key") +
                       "\n[device.s1]\ndriver = serial-scanner\nport = /nonexistent/s1\n");
        // The client checks the chain and the name (127.0.0.1) against the test CA.
        client =
            new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", pki.file("ca.pem"),
                                   Poco::Net::Context::VERIFY_STRICT, 9, false);
    }

    std::pair<int, std::string> get(const std::string& path, const std::string& token = "") {
        Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<Poco::UInt16>(tlsPort),
                                              client);
        session.setTimeout(Poco::Timespan(10, 0));
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        if (!token.empty()) request.set("Authorization", "Bearer " + token);
        session.sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::string body;
        Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
        return {response.getStatus(), body};
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_api_answers_over_verified_tls) {
    Https https;
    const auto health = https.get("/v1/health");
    BOOST_TEST(health.first == 200);
    const auto whoami = https.get("/v1/whoami", kPosToken);
    BOOST_TEST(whoami.first == 200);
    BOOST_TEST(whoami.second.find("\"role\":\"pos\"") != std::string::npos, whoami.second);
    BOOST_TEST(https.get("/v1/whoami").first == 401);
    // The plain listener goes on beside it.
    BOOST_TEST(httpRequest(https.lojald->port, "GET", "/v1/health").status == 200);
}

BOOST_AUTO_TEST_CASE(plain_http_on_the_tls_port_gets_no_http_answer) {
    Https https;
    const std::string answer =
        rawExchange(https.tlsPort, "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    BOOST_TEST(answer.find("HTTP/1.1 200") == std::string::npos, answer);
    BOOST_TEST(https.get("/v1/health").first == 200);  // and the listener is still there
}

BOOST_AUTO_TEST_CASE(event_streams_run_over_tls) {
    Https https;
    Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<Poco::UInt16>(https.tlsPort),
                                          https.client);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/v1/events?since=0",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", std::string("Bearer ") + kPosToken);
    Poco::Net::HTTPResponse response;
    Poco::Net::WebSocket socket(session, request, response);
    socket.setReceiveTimeout(Poco::Timespan(10, 0));
    char buffer[4096];
    int flags = 0;
    // The scanner's state change at start is in the ring.
    const int n = socket.receiveFrame(buffer, sizeof buffer, flags);
    BOOST_REQUIRE(n > 0);
    BOOST_TEST(std::string(buffer, n).find("\"type\":\"device\"") != std::string::npos);
    // A ping is answered with a pong, a close with 1000.
    socket.sendFrame("hi", 2,
                     static_cast<int>(Poco::Net::WebSocket::FRAME_FLAG_FIN) |
                         static_cast<int>(Poco::Net::WebSocket::FRAME_OP_PING));
    int got = 0;
    do {
        got = socket.receiveFrame(buffer, sizeof buffer, flags);
    } while (got > 0 && (flags & Poco::Net::WebSocket::FRAME_OP_BITMASK) !=
                            Poco::Net::WebSocket::FRAME_OP_PONG);
    BOOST_TEST((flags & Poco::Net::WebSocket::FRAME_OP_BITMASK) ==
               Poco::Net::WebSocket::FRAME_OP_PONG);
    BOOST_TEST(std::string(buffer, got) == "hi");
    socket.shutdown(Poco::Net::WebSocket::WS_NORMAL_CLOSE, "");
    do {
        got = socket.receiveFrame(buffer, sizeof buffer, flags);
    } while (got > 0 && (flags & Poco::Net::WebSocket::FRAME_OP_BITMASK) !=
                            Poco::Net::WebSocket::FRAME_OP_CLOSE);
    BOOST_REQUIRE(got >= 2);
    BOOST_TEST(((static_cast<unsigned char>(buffer[0]) << 8) |
                static_cast<unsigned char>(buffer[1])) == 1000);
}

BOOST_AUTO_TEST_CASE(a_tls_listener_without_its_key_does_not_start) {
    Pki pki;
    TempDir dir;
    const int port = freePort();
    const std::string config =
        writeTestConfig(dir, port,
                        "[server]\ntls_listen = 127.0.0.1:" + std::to_string(freePort()) +
                            "\ntls_cert_file = " + pki.file("server.pem") +
                            "\ntls_key_file = " + dir.file("missing.key") + "\n");
    LojaldProcess lojald({"--config", config}, dir.path());
    const auto status = lojald.waitForExit();
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(*status != 0);
    BOOST_TEST(lojald.output().find("tls_key_file") != std::string::npos, lojald.output());
}
