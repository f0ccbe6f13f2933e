// lojal-decode: reads camera frames with ZXing-C++ for lojald, in a process of
// its own, because Debian 12's ZXing 1.4.0 runs with live asserts and has heap
// overflows fixed only later: a frame that aborts or crashes it costs lojald
// one answer and a restart (daemon/camera/DecoderSupervisor), never itself.
//
// Standard input and output are lojald's socket (DecoderProtocol.h). It keeps
// no other descriptors, gains no privileges, and holds no more memory than
// RLIMIT_AS allows. `--test-hooks` lets tests make it fail on purpose: frames
// with sequence numbers 0xFFFFFF01 (abort), 0xFFFFFF02 (segfault) and
// 0xFFFFFF03 (hang).
#include <Poco/JSON/Stringifier.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

#include "camera/DecoderProtocol.h"
#include "camera/ZxingAdapter.h"

using namespace lojal::camera;

namespace {

constexpr uint32_t kAbortHook = 0xFFFFFF01;
constexpr uint32_t kSegfaultHook = 0xFFFFFF02;
constexpr uint32_t kHangHook = 0xFFFFFF03;

void harden() {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);  // no core files of camera frames
    for (int fd = 3; fd < 1024; ++fd) close(fd);
#ifndef __SANITIZE_ADDRESS__  // ASan's shadow memory is address space too
    const rlimit memory{512UL << 20, 512UL << 20};
    setrlimit(RLIMIT_AS, &memory);
#endif
    const rlimit noCore{0, 0};
    setrlimit(RLIMIT_CORE, &noCore);
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
