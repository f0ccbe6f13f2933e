// lojal-decode: reads camera frames with ZXing-C++ for lojald, in a process of
// its own, because Debian 12's ZXing 1.4.0 runs with live asserts and has heap
// overflows fixed only later: a frame that aborts or crashes it costs lojald
// one answer and a restart (daemon/camera/DecoderSupervisor), never itself.
//
// Standard input and output are lojald's socket (DecoderProtocol.h). It keeps
// no other descriptors, gains no privileges, and holds no more memory than
// RLIMIT_AS allows, and a seccomp filter refuses it the network, new programs
// and new processes. `--test-hooks` lets tests make it fail on purpose: frames
// with sequence numbers 0xFFFFFF01 (abort), 0xFFFFFF02 (segfault) and
// 0xFFFFFF03 (hang); 0xFFFFFF04 answers whether it could open a socket.
#include <Poco/JSON/Stringifier.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "camera/DecoderProtocol.h"
#include "camera/ZxingAdapter.h"

using namespace lojal::camera;

namespace {

constexpr uint32_t kAbortHook = 0xFFFFFF01;
constexpr uint32_t kSegfaultHook = 0xFFFFFF02;
constexpr uint32_t kHangHook = 0xFFFFFF03;
constexpr uint32_t kSocketHook = 0xFFFFFF04;

// What a decoder never needs, refused with EPERM (a denylist: an allowlist
// would have to follow every system call ZXing, libstdc++ and a sanitizer
// runtime may make, and a miss would cost frames). Other architectures than
// x86-64 get no filter rather than a wrong one.
void refuseNetworkAndPrograms() {
#if defined(__x86_64__)
    static const int refused[] = {SYS_socket,   SYS_socketpair, SYS_connect, SYS_bind,
                                  SYS_listen,   SYS_accept,     SYS_accept4, SYS_execve,
                                  SYS_execveat, SYS_fork,       SYS_vfork,   SYS_ptrace};
    std::vector<sock_filter> filter = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
    };
    for (const int nr : refused) {
        filter.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 1));
        filter.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)));
    }
    filter.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    sock_fprog program{static_cast<unsigned short>(filter.size()), filter.data()};
    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0);  // after NO_NEW_PRIVS
#endif
}

// GCC names AddressSanitizer builds with a macro, clang with a feature test.
#if defined(__SANITIZE_ADDRESS__)
#define LOJAL_DECODE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOJAL_DECODE_ASAN 1
#endif
#endif

void harden() {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);  // no core files of camera frames
    for (int fd = 3; fd < 1024; ++fd) close(fd);
#ifndef LOJAL_DECODE_ASAN  // ASan's shadow memory is address space too
    const rlimit memory{512UL << 20, 512UL << 20};
    setrlimit(RLIMIT_AS, &memory);
#endif
    const rlimit noCore{0, 0};
    setrlimit(RLIMIT_CORE, &noCore);
    refuseNetworkAndPrograms();
}

std::string quoted(const std::string& text) {
    std::ostringstream out;
    Poco::JSON::Stringifier::formatString(text, out);
    return out.str();
}

std::string answer(const std::string& body, bool testHooks) {
    FrameProblem problem;
    const auto request = parseDecodeRequest(body, problem);
    if (!request) return "{\"seq\":null,\"found\":false,\"error\":" + quoted(problem.code) + "}";
    const auto* bytes = reinterpret_cast<const uint8_t*>(request->frame.data());
    const FrameView frame = *parseFrame(bytes, request->frame.size(), problem);
    if (testHooks && frame.header.seq == kAbortHook) std::abort();
    if (testHooks && frame.header.seq == kSegfaultHook) std::raise(SIGSEGV);
    if (testHooks && frame.header.seq == kHangHook) pause();
    if (testHooks && frame.header.seq == kSocketHook) {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        const bool refused = fd < 0 && errno == EPERM;
        if (fd >= 0) close(fd);
        return "{\"seq\":" + std::to_string(frame.header.seq) + ",\"found\":false,\"error\":" +
               (refused ? "\"socket_refused\"" : "\"socket_allowed\"") + "}";
    }
    const Decoded decoded = decodeLuma(frame.pixels, frame.header.width, frame.header.height,
                                       request->formats, request->flags & kTryHarder);
    std::string json = "{\"seq\":" + std::to_string(frame.header.seq) +
                       ",\"found\":" + (decoded.found ? "true" : "false");
    if (decoded.found) {
        json += ",\"format\":" + quoted(decoded.format) +
                ",\"symbology\":" + quoted(decoded.symbology) + ",\"text\":" + quoted(decoded.text);
    }
    return json + "}";
}

bool writeAll(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
        if (n <= 0) return false;
        done += size_t(n);
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    const bool testHooks = argc > 1 && std::strcmp(argv[1], "--test-hooks") == 0;
    std::signal(SIGPIPE, SIG_IGN);  // lojald gone: the write fails and we exit
    harden();
    MessageReader reader(kMaxDecoderMessage);
    static char buffer[1 << 16];
    for (;;) {
        const ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
        if (n <= 0) return 0;  // lojald closed its end
        reader.feed(buffer, size_t(n));
        while (auto body = reader.next()) {
            if (!writeAll(withLength(answer(*body, testHooks)))) return 0;
        }
        if (reader.broken()) return 2;  // not lojald's protocol
    }
}
