#include "LojaldProcess.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace lojal::test {

const char* const kPosToken = "pos-test-token-0123456789abcdef";
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

void TempDir::write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name), std::ios::binary) << text;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

int freePort() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    return socket.address().port();
}

LojaldProcess::LojaldProcess(const std::vector<std::string>& args, const std::string& cwd) {
    int pipeFds[2];
    if (pipe2(pipeFds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> argvStrings = {LOJALD_PATH};
    argvStrings.insert(argvStrings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argvStrings) argv.push_back(arg.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
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
    if (rc != 0) {
        close(pipeFds[0]);
        throw std::runtime_error("cannot start " + argvStrings[0]);
    }
    reader_ = std::thread([this, fd = pipeFds[0]] { readOutput(fd); });
}

LojaldProcess::~LojaldProcess() {
    if (!exitStatus_) {
        kill(pid_, SIGKILL);
        waitForExit(10s);
    }
    if (reader_.joinable()) reader_.join();
}

void LojaldProcess::readOutput(int fd) {
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

bool LojaldProcess::waitForOutput(const std::string& text, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        return output_.find(text) != std::string::npos || closed_;
    }) && output_.find(text) != std::string::npos;
}

void LojaldProcess::signal(int signo) {
    kill(pid_, signo);
}

std::optional<int> LojaldProcess::waitForExit(std::chrono::milliseconds timeout) {
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

std::string LojaldProcess::output() const {
    std::lock_guard lock(mutex_);
    return output_;
}

std::string writeTestConfig(const TempDir& dir, int port, const std::string& extra) {
    const std::string path = dir.file("lojald.ini");
    std::string text = "[server]\nlisten = 127.0.0.1:" + std::to_string(port) + "\n" +
                       "[database]\npath = " + dir.file("lojal.db") + "\n" +
                       "[log]\nlevel = debug\n" +
                       "[tokens]\n"
                       "register-1 = pos:" +
                       kPosToken + "\n" + "kiosk-1 = kiosk:" + kKioskToken + "\n" +
                       "it-admin = admin:" + kAdminToken + "\n" + extra;
    dir.write("lojald.ini", text);
    return path;
}

HttpResult httpRequest(int port, const std::string& method, const std::string& path,
                       const std::string& token, const std::string& body,
                       const std::string& contentType) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) request.set("Authorization", "Bearer " + token);
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
