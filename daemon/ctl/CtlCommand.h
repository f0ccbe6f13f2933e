#pragma once
// lojalctl's command line (pure): global options, the command and its own
// arguments, help texts and the documented exit codes. main.cpp runs what
// this parses; docs/OPERATIONS.md lists the same codes.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lojal::ctl {

// Exit codes: stable, scripts branch on them.
enum Exit : int {
    kOk = 0,
    kFailed = 1,         // lojald refused (4xx other than below) or the operation failed
    kUsage = 2,          // bad command line
    kUnreachable = 3,    // lojald does not answer at --url
    kUnauthorized = 4,   // 401/403: the token is missing, wrong or not admin
    kNotFound = 5,       // no such queue item, member, token
    kInvalidConfig = 6,  // check-config found a problem; a tokens file is unreadable
    kServerError = 7,    // lojald answered 5xx (storage unavailable, ...)
};

struct Invocation {
    // Global options.
    std::string configPath;  // "" -> /etc/lojal/lojald.ini if it exists, else the embedded default
    std::string url;         // "" -> http:// + the first [server] listen address
    std::string tokenFile;   // "" -> /etc/lojal/lojalctl.token, else the dev tokens file
    bool json = false;
    int timeoutMs = 10000;
    bool help = false;
    bool version = false;
    // The command ("queue", "tokens", ...), its sub-command ("list") and the rest.
    std::string command;
    std::string sub;
    std::vector<std::string> positionals;
    std::map<std::string, std::string> options;  // --phone N, --topic T ("" for a flag)
};

struct ParseOutcome {
    std::optional<Invocation> invocation;
    std::string error;  // a usage error, for stderr with the command's help
};

ParseOutcome parseCommandLine(const std::vector<std::string>& args);

// The help of one command ("" for the overview).
std::string helpText(const std::string& command);

// Known commands, for `lojalctl --help` and the test that every one has help.
const std::vector<std::string>& commandNames();

}  // namespace lojal::ctl
