#include "ThreadSignals.h"

#ifdef _WIN32

namespace lojal::pos {

void blockSigpipeInThisThread() {}
SigpipeGuard::SigpipeGuard() = default;
SigpipeGuard::~SigpipeGuard() = default;

}  // namespace lojal::pos

#else

#include <pthread.h>

#include <ctime>

namespace lojal::pos {
namespace {

sigset_t sigpipeOnly() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    return set;
}

bool sigpipePending() {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    return sigismember(&pending, SIGPIPE) == 1;
}

}  // namespace

void blockSigpipeInThisThread() {
    const sigset_t set = sigpipeOnly();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

SigpipeGuard::SigpipeGuard() {
    const sigset_t set = sigpipeOnly();
    pthread_sigmask(SIG_BLOCK, &set, &previousMask_);
    wasPending_ = sigpipePending();
}

SigpipeGuard::~SigpipeGuard() {
    if (!wasPending_ && sigpipePending()) {
        const sigset_t set = sigpipeOnly();
        const timespec noWait{0, 0};
        sigtimedwait(&set, nullptr, &noWait);
    }
    pthread_sigmask(SIG_SETMASK, &previousMask_, nullptr);
}

}  // namespace lojal::pos

#endif  // _WIN32
