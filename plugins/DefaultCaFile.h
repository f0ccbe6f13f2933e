#pragma once
// The CA bundle https peers are verified against when no ca_file is set:
// Debian's on Linux. On Windows none: the empty name means the machine's
// Trusted Root store, which plugins/VerifiedHttp imports into each context.
// Shared by the daemon's config, its plug-ins and liblojal.

namespace lojal {

#ifdef _WIN32
inline constexpr const char* kDefaultCaFile = "";
#else
inline constexpr const char* kDefaultCaFile = "/etc/ssl/certs/ca-certificates.crt";
#endif

}  // namespace lojal
