#pragma once
// SIGPIPE must never reach the host: Poco's send() passes no MSG_NOSIGNAL, so a
// write to a socket lojald has closed raises SIGPIPE in the writing thread,
// whose default action ends the process. Windows has no SIGPIPE (a write to a
// closed socket fails with an error): there both are empty.

#include <csignal>

namespace lojal::pos {

// For the library's own threads, once at their start.
void blockSigpipeInThisThread();

// For calls on the host's threads: blocks SIGPIPE for the scope, and swallows
// one that the scope raised before the host's mask comes back (the technique
// libpq uses), so the host's signal state is as it was.
class SigpipeGuard {
  public:
    SigpipeGuard();
    ~SigpipeGuard();
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

#ifndef _WIN32
  private:
    sigset_t previousMask_;
    bool wasPending_ = false;
#endif
};

}  // namespace lojal::pos
