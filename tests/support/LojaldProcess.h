#pragma once
// Runs the real lojald binary for black-box tests: a temporary working directory,
// a generated config, its output captured line by line so tests wait for events
// ("listening on ...") instead of sleeping.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace Poco::Net {
class HTTPClientSession;
}

namespace lojal::test {

using namespace std::chrono_literals;

// A fresh directory under /tmp, removed with everything in it.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    void write(const std::string& name, const std::string& text) const;

  private:
    std::string path_;
};

// Checks condition until it holds or timeout passes, for state with no event of
// its own to wait on (a row lojald wrote, a detached daemon's pid file). Between
// checks it waits for noteActivity() (a test server took a request), and for a
// short while at most (5 ms, doubling to 100 ms) when nothing announces itself.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s);

// Something a test may be waiting for has happened: the test servers (TestCrm,
// FakeHttpServer) call it with every request, which re-checks every eventually().
void noteActivity();

// A TCP port on 127.0.0.1 that was free a moment ago.
int freePort();

// A program run for a test: its standard output and error captured, its standard
// input a pipe the test writes commands to.
class ChildProcess {
  public:
    ChildProcess(const std::string& program, const std::vector<std::string>& args,
                 const std::string& cwd);
    virtual ~ChildProcess();  // kills it (SIGKILL) if still running

    // Writes a line to its standard input.
    void writeLine(const std::string& line);
    // Writes a command and returns the next whole line of output ("" on timeout):
    // for programs that answer each command with one line (the simulators).
    std::string command(const std::string& line, std::chrono::milliseconds timeout = 10s);

    // Waits until a line of output contains text; false on timeout or exit.
    bool waitForOutput(const std::string& text, std::chrono::milliseconds timeout = 10s);
    void signal(int signo);
    // The exit status (or 128+signal), or nothing if still running at the timeout.
    std::optional<int> waitForExit(std::chrono::milliseconds timeout = 10s);
    std::string output() const;
    pid_t pid() const { return pid_; }

  private:
    void readOutput(int fd);

    pid_t pid_ = -1;
    int stdin_ = -1;
    size_t answered_ = 0;  // output consumed by command()
    std::thread reader_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string output_;
    bool closed_ = false;
    std::optional<int> exitStatus_;
};

// LOJAL_WINDOWS_LOJALD=/path/to/lojald.exe: the tests run the Windows build
// under wine instead (make test-windows runs a set of them; docs/WINDOWS.md).
const char* windowsLojald();
std::string lojaldProgram();
std::vector<std::string> lojaldArguments(const std::vector<std::string>& args);

class LojaldProcess : public ChildProcess {
  public:
    // Starts LOJALD_PATH (or wine with LOJAL_WINDOWS_LOJALD) with args, in cwd.
    LojaldProcess(const std::vector<std::string>& args, const std::string& cwd)
        : ChildProcess(lojaldProgram(), lojaldArguments(args), cwd) {}
    // Windows has no SIGTERM: under wine the test's SIGTERM becomes SIGINT,
    // which wine delivers as Ctrl-C, the stop lojald.exe answers in a console.
    void signal(int signo);
    // Waits for "listening on" and returns false if lojald exited first.
    bool waitUntilReady(std::chrono::milliseconds timeout = 10s) {
        return waitForOutput("API listening on", timeout);
    }
};

// The scanner simulator (tests/sim/ScannerSim.cpp) on a link in dir.
class ScannerSim : public ChildProcess {
  public:
    explicit ScannerSim(const std::string& link)
        : ChildProcess(SCANNER_SIM_PATH, {"--link", link}, "/"), link_(link) {}
    const std::string& link() const { return link_; }

  private:
    std::string link_;
};

// The ZVT terminal simulator (tests/sim/ZvtSim.cpp), ready when built: on a pty
// linked at a path, or (link "tcp" or "tcp:PORT") on a loopback TCP port, a free
// one unless given. Its own T2 (how long it waits for an ACK before it repeats)
// is t2Ms.
class ZvtSim : public ChildProcess {
  public:
    explicit ZvtSim(const std::string& link, int t2Ms = 250)
        : ChildProcess(ZVT_SIM_PATH, arguments(link, t2Ms), "/") {
        // The first line is "ok ready PTY" or "ok ready tcp://...": it listens now.
        const std::string ready = command("");
        const size_t tcp = ready.find("tcp://");
        location_ = tcp != std::string::npos ? ready.substr(tcp) : link;
    }
    // What lojald's `port =` takes: the link's path or tcp://127.0.0.1:PORT.
    const std::string& location() const { return location_; }
    void mode(const std::string& name) { command("mode " + name); }
    void presentCard() { command("card"); }
    // Wall-clock milliseconds when the simulator sent its last message.
    int64_t lastSentMs() {
        const std::string answer = command("last");
        return std::stoll(answer.substr(answer.rfind(' ') + 1));
    }

  private:
    static std::vector<std::string> arguments(const std::string& link, int t2Ms) {
        const bool tcp = link.rfind("tcp", 0) == 0;
        const std::string port = link.size() > 4 ? link.substr(4) : "0";
        return {tcp ? "--tcp" : "--link", tcp ? port : link, "--t2-ms", std::to_string(t2Ms)};
    }
    std::string location_;
};

// A WebSocket client of GET /v1/events.
class EventClient {
  public:
    EventClient(int port, const std::string& token, const std::string& query = "");
    ~EventClient();
    // The next message as JSON text, or "" when none came within the timeout.
    std::string next(std::chrono::milliseconds timeout = 10s);
    // Reads messages until one contains every part; returns it ("" on timeout).
    std::string waitFor(const std::vector<std::string>& parts,
                        std::chrono::milliseconds timeout = 10s);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// A WebSocket client of GET /v1/camera (the kiosk's side).
class CameraClient {
  public:
    CameraClient(int port, const std::string& token);
    ~CameraClient();
    // One WebSocket frame: flags as Poco::Net::WebSocket::sendFrame takes them
    // (default: a whole binary message).
    void send(const std::string& payload, int flags = -1);
    // The next text message, or "" on timeout or close (closeCode() tells).
    std::string next(std::chrono::milliseconds timeout = 10s);
    // The status code of the close frame lojald sent, 0 before one came.
    int closeCode() const { return closeCode_; }

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int closeCode_ = 0;
};

// Writes a config for a test daemon on port: database in dir, one token per role,
// whole SMS texts of the log gateway in dir/sms.log (the main log masks them).
// extra is appended verbatim (later sections may repeat none of the keys above).
// databasePath, when given, replaces dir/lojal.db.
std::string writeTestConfig(const TempDir& dir, int port, const std::string& extra = "",
                            const std::string& databasePath = "");

// The tokens writeTestConfig puts in the config.
extern const char* const kPosToken;
extern const char* const kKioskToken;
extern const char* const kAdminToken;
extern const char* const kMonitorToken;

struct HttpResult {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;
};

// One request on a new connection to 127.0.0.1:port.
// headers: more request headers (a browser's Cookie and Origin, say).
HttpResult httpRequest(int port, const std::string& method, const std::string& path,
                       const std::string& token = "", const std::string& body = "",
                       const std::string& contentType = "application/json",
                       const std::map<std::string, std::string>& headers = {});

// The whole texts the log gateway wrote to dir/sms.log (the main log masks PINs).
std::string smsTexts(const TempDir& dir);
// The newest PIN in them ("Din kod: 123456" with the Swedish template), waiting
// for one to be written; "" when none came.
std::string lastSmsCode(const TempDir& dir);

// POSTs a JSON body with the POS token on a kept-alive session (benchmarks reuse
// one connection per client); returns the status.
int postOnSession(Poco::Net::HTTPClientSession& session, const std::string& path,
                  const std::string& body);

// The p-th percentile (0-100) of values, nearest rank.
double percentile(std::vector<double> values, double p);

// Sends bytes as they are on a new connection and returns all that comes back
// until the server closes it (so send "Connection: close" or expect a close).
std::string rawExchange(int port, const std::string& bytes);

// The status code of a raw HTTP response ("HTTP/1.1 413 ..." -> 413), 0 if none.
int rawStatus(const std::string& response);

// Runs sql on a SQLite file opened read-only, as another process would, and
// returns the first column of every row, each followed by a newline.
std::string queryDatabase(const std::string& path, const std::string& sql);

// The "code" of a {"error":{"code":...}} body, or "" if the body has none.
std::string errorCode(const std::string& body);

// A daemon started on a test config, ready to serve.
struct RunningLojald {
    TempDir dir;
    int port = freePort();
    std::string config;
    std::optional<LojaldProcess> process;
    explicit RunningLojald(const std::string& extraConfig = "");
};

}  // namespace lojal::test
