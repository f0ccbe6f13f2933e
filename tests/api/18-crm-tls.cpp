#define BOOST_TEST_MODULE api_crm_tls
// The CRM over https with a real TLS server on loopback: the certificate chain and
// the host name are verified against crm.ca_file, a client certificate is
// presented when configured (mTLS), and a server lojald cannot verify gets no
// receipt. Certificates are made per run with the openssl command.
#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include "ExampleReceipt.h"
#include "LojaldProcess.h"
#include "TestCrm.h"
#include "TestPki.h"

using namespace lojal::test;

namespace {

std::string crmConfig(const TestCrm& crm, const std::string& extra) {
    return "[crm]\nsync = on\nurl = " + crm.url() + "\napi_key = k\npause_seconds = 1\n" + extra;
}

}  // namespace

BOOST_AUTO_TEST_CASE(mutual_tls_delivers_receipts) {
    Pki pki;
    TestCrm crm(TlsServerFiles{pki.file("server.pem"), pki.file("server.key"), pki.file("ca.pem")});
    RunningLojald lojald(crmConfig(
        crm, "ca_file = " + pki.file("ca.pem") + "\nclient_cert_file = " + pki.file("client.pem") +
                 "\nclient_key_file = " + pki.file("client.key") + "\n"));
    BOOST_REQUIRE_EQUAL(
        httpRequest(lojald.port, "POST", "/v1/receipts", kPosToken, kExampleReceipt).status, 202);
    const bool stored = crm.waitForStored(1, 15s);
    BOOST_TEST(stored, lojald.process->output());
}

BOOST_AUTO_TEST_CASE(without_the_client_certificate_the_crm_refuses_and_nothing_is_lost) {
    Pki pki;
    TestCrm crm(TlsServerFiles{pki.file("server.pem"), pki.file("server.key"), pki.file("ca.pem")});
    RunningLojald lojald(crmConfig(crm, "ca_file = " + pki.file("ca.pem") + "\n"));
    BOOST_REQUIRE_EQUAL(
        httpRequest(lojald.port, "POST", "/v1/receipts", kPosToken, kExampleReceipt).status, 202);
    BOOST_REQUIRE(lojald.process->waitForOutput("CRM unreachable"));
    BOOST_TEST(crm.stored() == 0u);
    BOOST_TEST(httpRequest(lojald.port, "GET", "/v1/receipts/6f1c2b1e-8a47-4f0e-9a55-0d7c3f1e2a10",
                           kPosToken)
                   .body.find("\"queued\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_server_certificate_from_another_ca_is_not_trusted) {
    Pki pki;
    TestCrm crm(TlsServerFiles{pki.file("server.pem"), pki.file("server.key"), ""});
    // lojald trusts only the other CA (or, by default, the system bundle): no receipt goes out.
    RunningLojald lojald(crmConfig(crm, "ca_file = " + pki.file("other.pem") + "\n"));
    BOOST_REQUIRE_EQUAL(
        httpRequest(lojald.port, "POST", "/v1/receipts", kPosToken, kExampleReceipt).status, 202);
    BOOST_REQUIRE(lojald.process->waitForOutput("CRM unreachable"));
    BOOST_TEST(crm.batches() == 0u);  // the handshake failed before any request
    RunningLojald systemBundle(crmConfig(crm, ""));
    BOOST_REQUIRE_EQUAL(
        httpRequest(systemBundle.port, "POST", "/v1/receipts", kPosToken, kExampleReceipt).status,
        202);
    BOOST_REQUIRE(systemBundle.process->waitForOutput("CRM unreachable"));
    BOOST_TEST(crm.batches() == 0u);
}

BOOST_AUTO_TEST_CASE(a_certificate_for_another_host_is_not_trusted) {
    Pki pki;
    TestCrm crm(
        TlsServerFiles{pki.file("client.pem"), pki.file("client.key"), ""});  // CN=store-...
    RunningLojald lojald(crmConfig(crm, "ca_file = " + pki.file("ca.pem") + "\n"));
    BOOST_REQUIRE_EQUAL(
        httpRequest(lojald.port, "POST", "/v1/receipts", kPosToken, kExampleReceipt).status, 202);
    BOOST_REQUIRE(lojald.process->waitForOutput("CRM unreachable"));
    BOOST_TEST(crm.batches() == 0u);
}
