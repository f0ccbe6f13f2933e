#include "LojaldProcess.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/StreamCopier.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace lojal::test {

const char* const kPosToken = "pos-test-token-0123456789abcdef";
const char* const kMonitorToken = "monitor-test-token-0123456789abcdef";
const char* const kKioskToken = "kiosk-test-token-0123456789abcdef";
const char* const kAdminToken = "admin-test-token-0123456789abcdef";

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lojal-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

// Private, as a store keeps its configuration (a world-readable one that holds
// secrets raises the config_readable alert, which tests that count events would see).
void TempDir::write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name), std::ios::binary) << text;
    std::filesystem::permissions(
        file(name), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

namespace {
struct Activity {
    std::mutex mutex;
    std::condition_variable changed;
    uint64_t generation = 0;
};
Activity& activity() {
    static Activity shared;
    return shared;
}
}  // namespace

void noteActivity() {
    {
        std::lock_guard lock(activity().mutex);
        ++activity().generation;
    }
    activity().changed.notify_all();
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto patience = 5ms;
    uint64_t seen = 0;
    {
        std::lock_guard lock(activity().mutex);
        seen = activity().generation;
    }
    while (!condition()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        std::unique_lock lock(activity().mutex);
        activity().changed.wait_for(lock,
                                    std::min<std::chrono::nanoseconds>(patience, deadline - now),
                                    [&] { return activity().generation != seen; });
        seen = activity().generation;
        patience = std::min(patience * 2, std::chrono::milliseconds(100));
    }
    return true;
}

int freePort() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    return socket.address().port();
}

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args,
                           const std::string& cwd) {
    int pipeFds[2];
    int inputFds[2];
    if (pipe2(pipeFds, O_CLOEXEC) != 0 || pipe2(inputFds, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    std::vector<std::string> argvStrings = {program};
    argvStrings.insert(argvStrings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argvStrings) argv.push_back(arg.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, inputFds[0], 0);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], 2);
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    // The daemon must get the default signal mask, whatever the test runner blocks.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigmask(&attributes, &empty);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
    const int rc = posix_spawn(&pid_, argv[0], &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(pipeFds[1]);
    close(inputFds[0]);
    stdin_ = inputFds[1];
    if (rc != 0) {
        close(pipeFds[0]);
        throw std::runtime_error("cannot start " + argvStrings[0]);
    }
    reader_ = std::thread([this, fd = pipeFds[0]] { readOutput(fd); });
}

ChildProcess::~ChildProcess() {
    if (stdin_ >= 0) close(stdin_);
    if (!exitStatus_) {
        kill(pid_, SIGKILL);
        waitForExit(10s);
    }
    if (reader_.joinable()) reader_.join();
}

void ChildProcess::readOutput(int fd) {
    char buffer[4096];
    while (true) {
        const ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        std::lock_guard lock(mutex_);
        output_.append(buffer, static_cast<size_t>(n));
        changed_.notify_all();
    }
    close(fd);
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
}

bool ChildProcess::waitForOutput(const std::string& text, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        return output_.find(text) != std::string::npos || closed_;
    }) && output_.find(text) != std::string::npos;
}

void ChildProcess::signal(int signo) {
    kill(pid_, signo);
}

const char* windowsLojald() {
    const char* exe = std::getenv("LOJAL_WINDOWS_LOJALD");
    return exe && *exe ? exe : nullptr;
}

std::string lojaldProgram() {
    return windowsLojald() ? "/usr/bin/wine" : LOJALD_PATH;
}

std::vector<std::string> lojaldArguments(const std::vector<std::string>& args) {
    if (!windowsLojald()) return args;
    std::vector<std::string> withExe{windowsLojald()};
    withExe.insert(withExe.end(), args.begin(), args.end());
    return withExe;
}

void LojaldProcess::signal(int signo) {
    ChildProcess::signal(windowsLojald() && signo == SIGTERM ? SIGINT : signo);
}

std::optional<int> ChildProcess::waitForExit(std::chrono::milliseconds timeout) {
    if (exitStatus_) return exitStatus_;
    // The output pipe closes when the process (and anything it forked) is gone.
    {
        std::unique_lock lock(mutex_);
        if (!changed_.wait_for(lock, timeout, [&] { return closed_; })) return std::nullopt;
    }
    int status = 0;
    if (waitpid(pid_, &status, 0) != pid_) return std::nullopt;
    exitStatus_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exitStatus_;
}

std::string ChildProcess::output() const {
    std::lock_guard lock(mutex_);
    return output_;
}

void ChildProcess::writeLine(const std::string& line) {
    const std::string text = line + "\n";
    if (::write(stdin_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        throw std::runtime_error("cannot write to the child's standard input");
    }
}

std::string ChildProcess::command(const std::string& line, std::chrono::milliseconds timeout) {
    writeLine(line);
    std::unique_lock lock(mutex_);
    std::string answer;
    const auto complete = [&] {
        // The next full line after what earlier commands consumed.
        const size_t end = output_.find('\n', answered_);
        if (end == std::string::npos) return closed_;
        answer = output_.substr(answered_, end - answered_);
        answered_ = end + 1;
        return true;
    };
    if (!changed_.wait_for(lock, timeout, complete)) return "";
    return answer;
}

struct EventClient::Impl {
    Poco::Net::HTTPClientSession session;
    std::unique_ptr<Poco::Net::WebSocket> socket;
    Impl(int port) : session("127.0.0.1", static_cast<Poco::UInt16>(port)) {}
};

EventClient::EventClient(int port, const std::string& token, const std::string& query)
    : impl_(std::make_unique<Impl>(port)) {
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/v1/events" + query,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) request.set("Authorization", "Bearer " + token);
    Poco::Net::HTTPResponse response;
    impl_->socket = std::make_unique<Poco::Net::WebSocket>(impl_->session, request, response);
}

EventClient::~EventClient() = default;

std::string EventClient::next(std::chrono::milliseconds timeout) {
    impl_->socket->setReceiveTimeout(Poco::Timespan(static_cast<long>(timeout.count()) * 1000));
    char buffer[65536];
    int flags = 0;
    try {
        const int n = impl_->socket->receiveFrame(buffer, sizeof buffer, flags);
        if (n <= 0) return "";
        return std::string(buffer, static_cast<size_t>(n));
    } catch (const Poco::TimeoutException&) {
        return "";
    }
}

std::string EventClient::waitFor(const std::vector<std::string>& parts,
                                 std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const std::string message = next(std::max(left, std::chrono::milliseconds(1)));
        if (message.empty()) return "";
        bool all = true;
        for (const auto& part : parts) all = all && message.find(part) != std::string::npos;
        if (all) return message;
    }
    return "";
}

struct CameraClient::Impl {
    Poco::Net::HTTPClientSession session;
    std::unique_ptr<Poco::Net::WebSocket> socket;
    std::vector<char> buffer = std::vector<char>(1 << 20);
    Impl(int port) : session("127.0.0.1", static_cast<Poco::UInt16>(port)) {}
};

CameraClient::CameraClient(int port, const std::string& token)
    : impl_(std::make_unique<Impl>(port)) {
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/v1/camera",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) request.set("Authorization", "Bearer " + token);
    Poco::Net::HTTPResponse response;
    impl_->socket = std::make_unique<Poco::Net::WebSocket>(impl_->session, request, response);
}

CameraClient::~CameraClient() = default;

void CameraClient::send(const std::string& payload, int flags) {
    if (flags < 0) flags = Poco::Net::WebSocket::FRAME_BINARY;
    impl_->socket->sendFrame(payload.data(), static_cast<int>(payload.size()), flags);
}

std::string CameraClient::next(std::chrono::milliseconds timeout) {
    impl_->socket->setReceiveTimeout(Poco::Timespan(static_cast<long>(timeout.count()) * 1000));
    try {
        while (true) {
            int flags = 0;
            const int n = impl_->socket->receiveFrame(
                impl_->buffer.data(), static_cast<int>(impl_->buffer.size()), flags);
            const int opcode = flags & Poco::Net::WebSocket::FRAME_OP_BITMASK;
            if (opcode == Poco::Net::WebSocket::FRAME_OP_CLOSE) {
                closeCode_ = n >= 2 ? (static_cast<uint8_t>(impl_->buffer[0]) << 8 |
                                       static_cast<uint8_t>(impl_->buffer[1]))
                                    : 1005;
                return "";
            }
            if (n <= 0 && flags == 0) return "";  // the connection closed
            if (opcode == Poco::Net::WebSocket::FRAME_OP_TEXT)
                return std::string(impl_->buffer.data(), static_cast<size_t>(n));
        }
    } catch (const Poco::TimeoutException&) {
        return "";
    } catch (const Poco::Exception&) {
        return "";
    }
}

std::string writeTestConfig(const TempDir& dir, int port, const std::string& extra,
                            const std::string& databasePath) {
    const std::string path = dir.file("lojald.ini");
    const std::string database = databasePath.empty() ? dir.file("lojal.db") : databasePath;
    std::string text = "[server]\nlisten = 127.0.0.1:" + std::to_string(port) + "\n" +
                       "[database]\npath = " + database + "\n" + "[log]\nlevel = debug\n" +
                       "[sms]\ntemplates_dir = " + LOJAL_SOURCE_DIR + "/daemon/sms/templates\n" +
                       "log_file = " + dir.file("sms.log") + "\n" +
                       "[tokens]\n"
                       "register-1 = pos:" +
                       kPosToken + "\n" + "kiosk-1 = kiosk:" + kKioskToken + "\n" +
                       "it-admin = admin:" + kAdminToken + "\n" +
                       "prometheus = monitor:" + kMonitorToken + "\n" + extra;
    dir.write("lojald.ini", text);
    return path;
}

HttpResult httpRequest(int port, const std::string& method, const std::string& path,
                       const std::string& token, const std::string& body,
                       const std::string& contentType,
                       const std::map<std::string, std::string>& headers) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) request.set("Authorization", "Bearer " + token);
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!body.empty() || method == "POST" || method == "PUT") {
        request.setContentType(contentType);
        request.setContentLength64(static_cast<Poco::Int64>(body.size()));
    }
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    HttpResult result;
    result.status = response.getStatus();
    Poco::StreamCopier::copyToString(in, result.body);
    for (const auto& [name, value] : response) result.headers[name] = value;
    return result;
}

std::string smsTexts(const TempDir& dir) {
    std::ifstream in(dir.file("sms.log"));
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string lastSmsCode(const TempDir& dir) {
    static const std::string kPrefix = "Din kod: ";
    std::string code;
    eventually([&] {
        const std::string texts = smsTexts(dir);
        const size_t at = texts.rfind(kPrefix);
        code = at == std::string::npos ? "" : texts.substr(at + kPrefix.size(), 6);
        return !code.empty();
    });
    return code;
}

int postOnSession(Poco::Net::HTTPClientSession& session, const std::string& path,
                  const std::string& body) {
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", std::string("Bearer ") + kPosToken);
    request.setContentType("application/json");
    request.setContentLength64(static_cast<Poco::Int64>(body.size()));
    request.setKeepAlive(true);
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::string ignored;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), ignored);
    return response.getStatus();
}

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, static_cast<size_t>(p / 100.0 * values.size()))];
}

std::string rawExchange(int port, const std::string& bytes) {
    Poco::Net::StreamSocket socket(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    socket.setReceiveTimeout(Poco::Timespan(10, 0));
    socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    std::string response;
    char buffer[4096];
    try {
        int n = 0;
        while ((n = socket.receiveBytes(buffer, sizeof buffer)) > 0) response.append(buffer, n);
    } catch (const Poco::Exception&) {
        // a reset after the response is as good as a close
    }
    return response;
}

int rawStatus(const std::string& response) {
    if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
    return std::atoi(response.substr(9, 3).c_str());
}

std::string queryDatabase(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    std::string result;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            const auto* text = sqlite3_column_text(stmt, 0);
            result += (text ? reinterpret_cast<const char*>(text) : "NULL") + std::string("\n");
        }
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return result;
}

std::string errorCode(const std::string& body) {
    try {
        Poco::JSON::Parser parser;
        auto root = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
        auto error = root->getObject("error");
        return error ? error->getValue<std::string>("code") : "";
    } catch (const Poco::Exception&) {
        return "";
    }
}

RunningLojald::RunningLojald(const std::string& extraConfig) {
    config = writeTestConfig(dir, port, extraConfig);
    process.emplace(std::vector<std::string>{"--config", config}, dir.path());
    if (!process->waitUntilReady()) {
        throw std::runtime_error("lojald did not start:\n" + process->output());
    }
}

}  // namespace lojal::test
