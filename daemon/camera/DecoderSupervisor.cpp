#include "camera/DecoderSupervisor.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

extern char** environ;

namespace lojal {
namespace {

using namespace std::chrono_literals;

constexpr auto kFirstBackoff = 50ms;
constexpr auto kLongestBackoff = 2000ms;

int millisUntil(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<long long>(0, left.count()));
}

std::string describeExit(int status) {
    if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
    if (WIFEXITED(status)) return "exited with " + std::to_string(WEXITSTATUS(status));
    return "stopped";
}

}  // namespace

DecoderSupervisor::DecoderSupervisor(DecoderOptions options) : options_(std::move(options)) {}

DecoderSupervisor::~DecoderSupervisor() {
    std::lock_guard lock(mutex_);
    stop();
}

int DecoderSupervisor::restarts() const {
    std::lock_guard lock(mutex_);
    return restarts_;
}

pid_t DecoderSupervisor::decoderPid() const {
    std::lock_guard lock(mutex_);
    return pid_;
}

bool DecoderSupervisor::degraded() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(crashes_.size()) >= options_.degradedAfterCrashes;
}

bool DecoderSupervisor::start(std::string& why) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        why = std::string("socketpair: ") + std::strerror(errno);
        return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pair[1], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pair[1], STDOUT_FILENO);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(options_.program.c_str()));
    for (const auto& arg : options_.args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc =
        posix_spawn(&pid, options_.program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pair[1]);
    if (rc != 0) {
        close(pair[0]);
        why = "cannot start " + options_.program + ": " + std::strerror(rc);
        return false;
    }
    pid_ = pid;
    socket_ = pair[0];
    reader_ = camera::MessageReader(4096);
    return true;
}

void DecoderSupervisor::stop() {
    if (socket_ >= 0) close(socket_);
    socket_ = -1;
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    pid_ = -1;
}

// The frame's answer when the decoder failed: it is stopped, counted, and the
// next frame starts a new one after the backoff.
DecodeAnswer DecoderSupervisor::fail(const std::string& why, Clock::time_point began) {
    std::string how = why;
    if (pid_ > 0) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            how += " (" + describeExit(status) + ")";
            pid_ = -1;
        }
    }
    stop();
    ++restarts_;
    const auto now = Clock::now();
    crashes_.push_back(now);
    while (!crashes_.empty() && now - crashes_.front() > options_.degradedWindow)
        crashes_.pop_front();
    // The first failure restarts at once; failures in a row wait 50 ms, doubling to 2 s.
    ++failuresInRow_;
    auto backoff = std::chrono::milliseconds(0);
    if (failuresInRow_ > 1) {
        backoff = kFirstBackoff * (1 << std::min(failuresInRow_ - 2, 6));
        backoff = std::min<std::chrono::milliseconds>(backoff, kLongestBackoff);
    }
    nextStart_ = now + backoff;
    DecodeAnswer answer;
    answer.error = "decoder_restarted";
    answer.why = how;
    answer.ms = std::chrono::duration<double, std::milli>(Clock::now() - began).count();
    return answer;
}

bool DecoderSupervisor::sendAll(const std::string& bytes, Clock::time_point deadline) {
    size_t done = 0;
    while (done < bytes.size()) {
        pollfd out{socket_, POLLOUT, 0};
        if (poll(&out, 1, millisUntil(deadline)) <= 0) return false;
        const ssize_t n = send(socket_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return false;
        done += size_t(n);
    }
    return true;
}

std::optional<std::string> DecoderSupervisor::receive(Clock::time_point deadline,
                                                      std::string& why) {
    char buffer[4096];
    for (;;) {
        if (auto body = reader_.next()) return body;
        if (reader_.broken()) {
            why = "the decoder sent an answer longer than 4 KiB";
            return std::nullopt;
        }
        pollfd in{socket_, POLLIN, 0};
        const int ready = poll(&in, 1, millisUntil(deadline));
        if (ready == 0) {
            why = "no answer within the deadline";
            return std::nullopt;
        }
        const ssize_t n = ready > 0 ? recv(socket_, buffer, sizeof buffer, 0) : -1;
        if (n <= 0) {
            why = "the decoder closed its socket";
            return std::nullopt;
        }
        reader_.feed(buffer, size_t(n));
    }
}

DecodeAnswer DecoderSupervisor::decode(const camera::DecodeRequest& request) {
    std::lock_guard lock(mutex_);
    const auto began = Clock::now();
    if (pid_ < 0) {
        if (began < nextStart_) {
            DecodeAnswer answer;
            answer.error = "decoder_restarting";
            return answer;
        }
        std::string why;
        if (!start(why)) {
            DecodeAnswer answer;
            answer.error = "decoder_unavailable";
            answer.why = why;
            return answer;
        }
    }
    const auto deadline = began + options_.deadline;
    if (!sendAll(camera::withLength(camera::encodeDecodeRequest(request)), deadline))
        return fail("the decoder did not take the frame in time", began);
    std::string why;
    const auto body = receive(deadline, why);
    if (!body) return fail(why, began);
    DecodeAnswer answer;
    try {
        Poco::JSON::Parser parser;
        const auto json = parser.parse(*body).extract<Poco::JSON::Object::Ptr>();
        answer.found = json->optValue<bool>("found", false);
        answer.format = json->optValue<std::string>("format", "");
        answer.symbology = json->optValue<std::string>("symbology", "");
        answer.text = json->optValue<std::string>("text", "");
        answer.error = json->optValue<std::string>("error", "");
    } catch (const Poco::Exception& e) {
        return fail("the decoder's answer is not JSON: " + e.message(), began);
    }
    failuresInRow_ = 0;  // a good answer: the next crash restarts at once
    answer.ms = std::chrono::duration<double, std::milli>(Clock::now() - began).count();
    return answer;
}

}  // namespace lojal
