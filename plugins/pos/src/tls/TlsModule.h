#pragma once
// The contract between liblojal and liblojal-tls.so, its private module for
// https:// (loaded with dlopen on the first https connection, so a till that
// reaches lojald over plain HTTP never maps OpenSSL, Poco's NetSSL and their
// dependencies). Both are built together from this tree: C++ types may cross.

#include <Poco/Net/HTTPClientSession.h>

#include <memory>
#include <string>

namespace lojal::pos {

// An HTTPS session to host:port that verifies the chain against caFile and the
// host name (TLS 1.2 or newer). It connects, and shakes hands within
// connectTimeout, on its first request.
using OpenTlsSession = Poco::Net::HTTPClientSession* (*)(const std::string& host,
                                                         unsigned short port,
                                                         const std::string& caFile);

// The module's one export (C linkage, so dlsym finds it by this name).
constexpr const char* kOpenTlsSessionSymbol = "lojal_tls_open_session";
// Where the module lives, relative to the directory of liblojal.so.1.
constexpr const char* kTlsModulePath = "lojal/liblojal-tls.so";

// Loads the module once; nullptr (and why) when it cannot be loaded.
OpenTlsSession tlsSessionFactory(std::string& why);

}  // namespace lojal::pos
