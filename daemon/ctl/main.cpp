// lojalctl: store IT's command-line tool for the lojald on this machine. It
// speaks lojald's local API with an admin token; backup, restore, tokens and
// check-config work on files (the database through store/Backup).
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "VerifiedHttp.h"
#include "api/Auth.h"
#include "app/ConfigCheck.h"
#include "config/Config.h"
#include "core/Paths.h"
#include "core/PosixFiles.h"
#include "core/Sockets.h"
#include "core/Version.h"
#include "ctl/CtlCommand.h"
#include "ctl/CtlOutput.h"
#include "store/Backup.h"

using namespace lojal;
using namespace lojal::ctl;

namespace {

#ifdef _WIN32
// %ProgramData%\Lojal, where the service keeps its configuration and works.
const std::string kDataDirectory = windowsDataDirectory();  // found (and made) once
const std::string kDefaultConfig = kDataDirectory + "lojald.ini";
const std::string kDefaultTokenFile = kDataDirectory + "lojalctl.token";

// The service reads its configuration's relative paths (the database, the
// tokens files) in %ProgramData%\Lojal; lojalctl keeps the user's working
// directory for its own arguments (a backup's file), so it anchors those.
Config anchoredInDataDirectory(Config config) {
    for (std::string* path :
         {&config.database.path, &config.auth.tokensFile, &config.auth.devTokensFile}) {
        if (!path->empty() && std::filesystem::path(*path).is_relative())
            *path = kDataDirectory + *path;
    }
    return config;
}
#else
const std::string kDefaultConfig = "/etc/lojal/lojald.ini";
const std::string kDefaultTokenFile = "/etc/lojal/lojalctl.token";
#endif

int fail(int code, const std::string& message) {
    std::cerr << "lojalctl: " << message << std::endl;
    return code;
}

bool exists(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0;
}

std::string readFile(const std::string& path, bool& ok) {
    std::ifstream in(path, std::ios::binary);
    ok = static_cast<bool>(in);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    return text.str();
}

Result<Config> loadConfig(const Invocation& in) {
    if (!in.configPath.empty()) return loadConfigFile(in.configPath);
#ifdef _WIN32
    if (exists(kDefaultConfig)) {
        auto config = loadConfigFile(kDefaultConfig);
        if (!config) return config.error();
        return anchoredInDataDirectory(*config);
    }
#else
    if (exists(kDefaultConfig)) return loadConfigFile(kDefaultConfig);
#endif
    return parseConfig(kEmbeddedDefaultConfig, kEmbeddedDefaultName);
}

// The token: a file holding it alone, or a development tokens file (`ROLE TOKEN`
// lines), whose admin line is taken.
Result<std::string> loadToken(const Invocation& in, const Config& config) {
    std::string path = in.tokenFile;
    if (path.empty())
        path = exists(kDefaultTokenFile) ? kDefaultTokenFile : config.auth.devTokensFile;
    if (path.empty())
        return Error{ErrorCode::arg, "no token: pass --token-file FILE (an admin token)"};
    bool ok = false;
    const std::string text = readFile(path, ok);
    if (!ok) return Error{ErrorCode::io, path + ": cannot read the token file"};
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string first, second;
        fields >> first >> second;
        if (first.empty() || first[0] == '#') continue;
        if (second.empty()) return first;  // the token alone
        if (first == "admin") return second;
    }
    return Error{ErrorCode::data, path + ": holds no token (nor an 'admin TOKEN' line)"};
}

struct Answer {
    int status = 0;
    Poco::JSON::Object::Ptr body;  // null when the body is not a JSON object
    std::string text;
};

class Api {
  public:
    Api(std::string url, std::string token, int timeoutMs)
        : url_(std::move(url)), token_(std::move(token)), timeoutMs_(timeoutMs) {}

    // nullopt (with why) when lojald does not answer.
    std::optional<Answer> call(const std::string& method, const std::string& path,
                               const std::string& body, std::string& why) {
        plugins::HttpCall call;
        call.method = method;
        try {
            call.uri = Poco::URI(url_ + path);
        } catch (const Poco::Exception& e) {
            why = "invalid --url: " + e.displayText();
            return std::nullopt;
        }
        call.headers.emplace_back("Authorization", "Bearer " + token_);
        call.headers.emplace_back("User-Agent", std::string("lojalctl/") + kLojalVersion);
        call.body = body;
        call.timeoutMs = timeoutMs_;
        auto answer = plugins::exchange(sessions_, call, why);
        if (!answer) return std::nullopt;
        Answer result;
        result.status = answer->status;
        result.text = answer->body;
        try {
            result.body =
                Poco::JSON::Parser().parse(answer->body).extract<Poco::JSON::Object::Ptr>();
        } catch (const Poco::Exception&) {
        }
        return result;
    }
    const std::string& url() const { return url_; }

  private:
    std::string url_;
    std::string token_;
    int timeoutMs_;
    plugins::SessionFactory sessions_{std::string(kDefaultCaFile)};
};

// An HTTP status -> the documented exit code, with lojald's message on stderr.
int exitFor(const Answer& answer) {
    if (answer.status >= 200 && answer.status < 300) return kOk;
    std::string message = "HTTP " + std::to_string(answer.status);
    if (answer.body && answer.body->has("error")) {
        const auto error = answer.body->getObject("error");
        message =
            error->getValue<std::string>("code") + ": " + error->getValue<std::string>("message");
    }
    std::cerr << "lojalctl: lojald answered " << message << std::endl;
    if (answer.status == 401 || answer.status == 403) return kUnauthorized;
    if (answer.status == 404) return kNotFound;
    if (answer.status >= 500) return kServerError;
    return kFailed;
}

std::string stringify(const Poco::JSON::Object::Ptr& object) {
    std::ostringstream out;
    if (object) object->stringify(out, 2);
    return out.str();
}

// Asks lojald and prints the answer (JSON, or the table render makes).
int request(Api& api, const Invocation& in, const std::string& method, const std::string& path,
            const std::string& body, std::string (*render)(const Poco::JSON::Object&)) {
    std::string why;
    const auto answer = api.call(method, path, body, why);
    if (!answer) return fail(kUnreachable, "lojald does not answer at " + api.url() + ": " + why);
    const int code = exitFor(*answer);
    if (code != kOk) return code;
    if (!answer->body) return fail(kFailed, "lojald's answer is not a JSON object");
    std::cout << (in.json ? stringify(answer->body) + "\n" : render(*answer->body));
    return kOk;
}

std::string jsonString(const std::string& text) {
    Poco::JSON::Object object;
    object.set("v", text);
    std::ostringstream out;
    object.stringify(out);
    const std::string all = out.str();  // {"v":"..."}
    return all.substr(5, all.size() - 6);
}

// ---- tokens: the tokens file, rewritten whole and renamed into place ----

Status writeTokensFile(const std::string& path, const std::vector<ApiToken>& tokens) {
    std::string text =
        "# lojald API tokens (written by lojalctl tokens): NAME ROLE sha256:HASH.\n"
        "# Only hashes: the secrets were shown once, when each token was added.\n";
    for (const ApiToken& token : tokens) text += formatTokenLine(token) + "\n";
    struct stat old {};
    const bool hadFile = ::stat(path.c_str(), &old) == 0;
    const std::string temporary = path + ".new";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return Error{ErrorCode::io, temporary + ": " + std::strerror(errno)};
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    // Keep the owner, group and mode store IT gave it (root:lojal 0640 from the package).
    if (hadFile) {
        ok = ok && (::fchown(fd, old.st_uid, old.st_gid) == 0 || errno == EPERM);
        ok = ok && ::fchmod(fd, old.st_mode & 07777) == 0;
    }
    ok = ok && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || renameOver(temporary.c_str(), path.c_str()) != 0) {
        ::unlink(temporary.c_str());
        return Error{ErrorCode::io, path + ": cannot write: " + std::strerror(errno)};
    }
    return okStatus();
}

// After a change: lojald reloads at once, or is told how.
void reloadAfterChange(Api& api, bool quiet) {
    std::string why;
    const auto answer = api.call("POST", "/v1/admin/tokens/reload", "", why);
    if (answer && answer->status == 200) {
        if (!quiet) std::cerr << "lojald reloaded its tokens" << std::endl;
        return;
    }
    if (answer) (void)exitFor(*answer);  // prints lojald's reason
    std::cerr << "lojalctl: lojald did not reload its tokens" << (answer ? "" : " (" + why + ")")
              << ": systemctl reload lojald, or it reads the file at its next start" << std::endl;
}

int tokens(Api& api, const Invocation& in, const Config& config) {
    const std::string& path = config.auth.tokensFile;
    if (path.empty())
        return fail(kInvalidConfig, config.source + ": [auth] tokens_file is not set");
    auto current = loadTokensFile(path);
    if (!current) return fail(kInvalidConfig, current.error().message);
    if (in.sub == "list") {
        std::cout << (in.json ? tokensJson(*current) : tokensTable(*current));
        return kOk;
    }
    if (in.sub == "add") {
        const std::string& name = in.positionals[0];
        if (!isTokenName(name))
            return fail(kUsage, "a token name has 1 to 64 letters, digits, '-', '_' or '.'");
        auto role = parseRole(in.positionals[1]);
        if (!role) return fail(kUsage, role.error().message);
        for (const ApiToken& token : *current) {
            if (token.name == name)
                return fail(kFailed, "token '" + name + "' exists: revoke it first");
        }
        const std::string secret = generateTokenSecret();
        current->push_back(ApiToken{name, *role, sha256Hex(secret)});
        if (auto written = writeTokensFile(path, *current); !written)
            return fail(kFailed, written.error().message);
        if (in.json)
            std::cout << "{\"name\": " << jsonString(name) << ", \"role\": \"" << toString(*role)
                      << "\", \"token\": \"" << secret << "\"}\n";
        else
            std::cout << "token " << name << " (" << toString(*role) << "): " << secret
                      << "\nIt is shown only now; lojald keeps its hash.\n";
        reloadAfterChange(api, in.json);
        return kOk;
    }
    const std::string& name = in.positionals[0];  // revoke
    const auto before = current->size();
    current->erase(std::remove_if(current->begin(), current->end(),
                                  [&](const ApiToken& token) { return token.name == name; }),
                   current->end());
    if (current->size() == before) return fail(kNotFound, "no token named '" + name + "'");
    if (auto written = writeTokensFile(path, *current); !written)
        return fail(kFailed, written.error().message);
    std::cout << (in.json ? "{\"revoked\": " + jsonString(name) + "}\n"
                          : "token " + name + " revoked\n");
    reloadAfterChange(api, in.json);
    return kOk;
}

// ---- backup and restore ----

int backup(const Invocation& in, const Config& config) {
    const std::string& file = in.positionals[0];
    if (in.options.count("force") && exists(file) && ::unlink(file.c_str()) != 0)
        return fail(kFailed, file + ": cannot replace: " + std::strerror(errno));
    auto report = backupDatabase(config.database.path, file);
    if (!report) {
        return fail(kFailed,
                    report.error().message +
                        (report.error().code == ErrorCode::arg ? " (--force replaces it)" : ""));
    }
    std::cout << (in.json ? backupJson(*report, file) : backupText(*report, file, "backup"));
    return kOk;
}

int restore(Api& api, const Invocation& in, const Config& config) {
    std::string why;
    if (api.call("GET", "/v1/health", "", why))
        return fail(kFailed, "lojald is running at " + api.url() +
                                 ": stop it first (systemctl stop lojald)");
    const std::string& target = config.database.path;
    struct stat old {};
    const bool hadTarget = ::stat(target.c_str(), &old) == 0;
    auto report = restoreDatabase(in.positionals[0], target);
    if (!report) return fail(kFailed, report.error().message);
    if (hadTarget) {  // lojald (user lojal) must still own what root just wrote
        for (const std::string& path : {target, target + "-wal", target + "-shm"}) {
            if (exists(path) && ::chown(path.c_str(), old.st_uid, old.st_gid) != 0 &&
                errno != EPERM)
                return fail(kFailed, path + ": cannot give it back to its owner");
        }
    }
    std::cout << (in.json ? backupJson(*report, target) : backupText(*report, target, "restored"));
    return kOk;
}

int checkConfig(const Invocation& in) {
    const std::string path = in.positionals.empty()
                                 ? (in.configPath.empty() ? kDefaultConfig : in.configPath)
                                 : in.positionals[0];
    auto checked = checkConfigFile(path);
    if (!checked) return fail(kInvalidConfig, checked.error().message);
    std::cout << (in.json ? "{\"file\": " + jsonString(path) + ", \"ok\": true}\n"
                          : path + ": configuration OK\n");
    return kOk;
}

// Ports with the configured device on each: /v1/ports joined with /v1/devices.
int portsCommand(Api& api, const Invocation& in) {
    std::string why;
    const auto ports = api.call("GET", "/v1/ports", "", why);
    if (!ports) return fail(kUnreachable, "lojald does not answer at " + api.url() + ": " + why);
    if (const int code = exitFor(*ports); code != kOk) return code;
    const auto devices = api.call("GET", "/v1/devices", "", why);
    if (!devices) return fail(kUnreachable, "lojald does not answer at " + api.url() + ": " + why);
    if (const int code = exitFor(*devices); code != kOk) return code;
    if (!ports->body || !devices->body) return fail(kFailed, "lojald's answer is not JSON");
    Poco::JSON::Object::Ptr joined = joinPortsWithDevices(*ports->body, *devices->body);
    std::cout << (in.json ? stringify(joined) + "\n" : portsText(*joined));
    return kOk;
}

int run(const Invocation& in) {
    if (in.command == "check-config") return checkConfig(in);
    auto config = loadConfig(in);
    if (!config) return fail(kInvalidConfig, config.error().message);
    if (in.command == "backup") return backup(in, *config);
    std::string url = in.url;
    if (url.empty()) {
        if (config->server.listen.empty()) return fail(kUsage, "no listen address: pass --url");
        url = "http://" + config->server.listen.front().toString();
    }
    while (!url.empty() && url.back() == '/') url.pop_back();
    std::string token;
    if (in.command != "restore") {
        auto loaded = loadToken(in, *config);
        if (!loaded) return fail(kUnauthorized, loaded.error().message);
        token = *loaded;
    }
    Api api(url, token, in.timeoutMs);
    if (in.command == "restore") return restore(api, in, *config);
    if (in.command == "tokens") return tokens(api, in, *config);
    if (in.command == "status") return request(api, in, "GET", "/v1/status", "", statusText);
    if (in.command == "alerts") return request(api, in, "GET", "/v1/alerts", "", alertsText);
    if (in.command == "devices") return request(api, in, "GET", "/v1/devices", "", devicesText);
    if (in.command == "ports") return portsCommand(api, in);
    if (in.command == "log-level")
        return request(api, in, "PUT", "/v1/log-level",
                       "{\"level\": " + jsonString(in.positionals[0]) + "}", logLevelText);
    if (in.command == "erase") {
        if (in.options.count("phone"))
            return request(api, in, "POST", "/v1/members/erase",
                           "{\"phone\": " + jsonString(in.options.at("phone")) + "}", erasedText);
        return request(api, in, "POST",
                       "/v1/members/" + Poco::URI(in.options.at("member")).getPath() + "/erase",
                       "{}", erasedText);
    }
    // queue
    if (in.sub == "list") {
        std::string query =
            "?state=" + (in.options.count("state") ? in.options.at("state") : "dead");
        if (in.options.count("topic")) query += "&topic=" + in.options.at("topic");
        if (in.options.count("limit")) query += "&limit=" + in.options.at("limit");
        return request(api, in, "GET", "/v1/admin/queue" + query, "", queueText);
    }
    if (in.sub == "show")
        return request(api, in, "GET", "/v1/admin/queue/" + in.positionals[0], "", queueItemText);
    if (!in.positionals.empty())
        return request(api, in, "POST", "/v1/admin/queue/" + in.positionals[0] + "/retry", "",
                       retriedText);
    const std::string body = in.options.count("topic")
                                 ? "{\"topic\": " + jsonString(in.options.at("topic")) + "}"
                                 : "{}";
    return request(api, in, "POST", "/v1/admin/queue/retry", body, retriedText);
}

}  // namespace

int main(int argc, char** argv) {
    sockets::startNetworking();  // Windows: Winsock; elsewhere nothing
    binaryFilesByDefault();
    const std::vector<std::string> args(argv + 1, argv + argc);
    const ParseOutcome parsed = parseCommandLine(args);
    if (!parsed.invocation) {
        std::cerr << "lojalctl: " << parsed.error << "\n\n";
        std::string command;
        for (const std::string& arg : args) {
            if (std::find(commandNames().begin(), commandNames().end(), arg) !=
                commandNames().end()) {
                command = arg;
                break;
            }
        }
        std::cerr << helpText(command);
        return kUsage;
    }
    const Invocation& in = *parsed.invocation;
    if (in.version) {
        std::cout << "lojalctl " << kLojalVersion << std::endl;
        return kOk;
    }
    if (in.help) {
        std::cout << helpText(in.command);
        return kOk;
    }
    try {
        return run(in);
    } catch (const std::exception& e) {
        return fail(kFailed, e.what());
    }
}
