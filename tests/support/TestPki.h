#pragma once
// Certificates made per test run with the openssl command, for the tests that
// speak TLS (the CRM over https, lojald's own HTTPS listener).

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <string>

#include "LojaldProcess.h"

namespace lojal::test {

// A CA, a server certificate for 127.0.0.1 and a client certificate, both
// signed by it, and a second CA that signed nothing lojald should trust.
struct Pki {
    TempDir dir;
    std::string file(const std::string& name) const { return dir.file(name); }

    Pki() {
        const std::string d = dir.path();
        const std::string script =
            "set -e; cd " + d +
            "\n"
            "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=lojal-test-ca "
            "-keyout ca.key -out ca.pem 2>/dev/null\n"
            "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca "
            "-keyout other.key -out other.pem 2>/dev/null\n"
            "printf 'subjectAltName=IP:127.0.0.1\\n' > server.ext\n"
            "openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key "
            "-out server.csr 2>/dev/null\n"
            "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
            "-extfile server.ext -out server.pem 2>/dev/null\n"
            "openssl req -newkey rsa:2048 -nodes -subj /CN=store-SE-0042 -keyout client.key "
            "-out client.csr 2>/dev/null\n"
            "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
            "-out client.pem 2>/dev/null\n"
            "chmod 600 *.key\n";
        dir.write("make-pki.sh", script);
        const int status = std::system(("sh " + dir.file("make-pki.sh")).c_str());
        BOOST_REQUIRE_MESSAGE(status == 0, "openssl could not make the test certificates");
    }
};

}  // namespace lojal::test
