// liblojal's figures, each beside the usual alternative in the same run:
//  - lojal_member_lookup round trip (a member-cache hit) against a hand-written
//    HTTP/1.1 request on a kept-alive socket, what a POS would otherwise write;
//  - a scan written to the pty until lojal_event_next returns it, against the
//    same scan read from a raw /v1/events WebSocket (the test EventClient).
// The memory a host pays is measured by pos-rss-bench (C, dlopen).
//
//   pos-bench [LOOKUPS] [SCANS]     (defaults 20000 and 2000)
#include <arpa/inet.h>
#include <lojal/lojal.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pty.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "LojaldProcess.h"
#include "TestCrm.h"

using namespace lojal::test;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kPhoneQuery = "phone=%2B46701234567";

[[noreturn]] void die(const char* why) {
    std::fprintf(stderr, "pos-bench: %s (%s)\n", why, lojal_last_error());
    std::exit(1);
}

double micros(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::micro>(to - from).count();
}

void print(const char* what, std::vector<double> values) {
    std::printf("  %-44s p50 %7.1f us   p99 %7.1f us\n", what, percentile(values, 50),
                percentile(values, 99));
}

// A hand-written HTTP/1.1 client on a kept-alive connection, opened again when
// lojald closes it (after server.max_keep_alive_requests, 10,000), as any
// client must.
class RawKeepAlive {
  public:
    explicit RawKeepAlive(int port) : port_(port) {
        request_ = "GET /v1/members/lookup?" + kPhoneQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                   std::to_string(port) + "\r\nAuthorization: Bearer " + kPosToken + "\r\n\r\n";
        connect();
    }
    ~RawKeepAlive() { ::close(fd_); }
    // The whole answer's status.
    int get() {
        if (::send(fd_, request_.data(), request_.size(), MSG_NOSIGNAL) < 0) return 0;
        std::string in;
        char buffer[8192];
        for (;;) {
            const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
            if (got <= 0) return 0;
            in.append(buffer, static_cast<size_t>(got));
            const size_t head = in.find("\r\n\r\n");
            if (head == std::string::npos) continue;
            const size_t length = in.find("Content-Length: ");
            const size_t body = std::stoul(in.substr(length + 16));
            if (in.size() < head + 4 + body) continue;
            std::string lowerHead = in.substr(0, head);
            for (char& c : lowerHead) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (lowerHead.find("connection: close") != std::string::npos) {
                ::close(fd_);
                connect();
            }
            return std::stoi(in.substr(9, 3));
        }
    }

  private:
    void connect() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<uint16_t>(port_));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
            die("cannot connect the hand-written client");
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    int port_;
    int fd_ = -1;
    std::string request_;
};

// A store whose member cache holds M1: synced from a CRM, then lojald runs
// with CRM sync off, so every lookup is answered from the cache.
struct CachedStore {
    TempDir dir;
    int port = freePort();
    std::optional<LojaldProcess> lojald;

    CachedStore() {
        TestCrm crm;
        crm.putMember("M1", "+46701234567", {"card-tok-1"}, "gold", 120);
        start("[crm]\nsync = on\nurl = " + crm.url() +
              "\napi_key = k\n[members]\nsync_interval_seconds = 1\n");
        if (!eventually([&] {
                return queryDatabase(dir.file("lojal.db"), "SELECT count(*) FROM members") == "1\n";
            })) {
            std::fprintf(stderr, "the member cache never filled\n");
            std::exit(1);
        }
        lojald->signal(SIGTERM);
        lojald->waitForExit();
        start("");
    }
    void start(const std::string& extra) {
        const std::string config =
            writeTestConfig(dir, port, "[store]\nid = SE-0042\ncountry = SE\n" + extra);
        lojald.emplace(std::vector<std::string>{"--config", config}, dir.path());
        if (!lojald->waitUntilReady()) die(("lojald did not start:\n" + lojald->output()).c_str());
    }
};

void lookups(int count) {
    CachedStore store;
    lojal_client* client = nullptr;
    lojal_client_new(("http://127.0.0.1:" + std::to_string(store.port)).c_str(), kPosToken,
                     &client);
    lojal_set_option_int(client, LOJAL_OPT_EVENTS, 0);
    char* json = nullptr;
    if (lojal_member_lookup(client, LOJAL_LOOKUP_PHONE, "+46701234567", -1, &json) != LOJAL_OK ||
        std::string(json).find("\"source\":\"cache\"") == std::string::npos) {
        std::fprintf(stderr, "not a cache hit: %s %s\n", json ? json : "", lojal_last_error());
        std::exit(1);
    }
    lojal_free(json);
    RawKeepAlive raw(store.port);
    std::vector<double> library, plain;
    for (int i = 0; i < count; ++i) {  // interleaved, so both see the same machine
        auto start = Clock::now();
        if (lojal_member_lookup(client, LOJAL_LOOKUP_PHONE, "+46701234567", -1, &json) != LOJAL_OK)
            die("a lookup failed");
        library.push_back(micros(start, Clock::now()));
        lojal_free(json);
        start = Clock::now();
        if (raw.get() != 200) die("a hand-written lookup failed");
        plain.push_back(micros(start, Clock::now()));
    }
    lojal_client_free(client);
    std::printf("member lookup, a cache hit, %d each, one connection kept alive:\n", count);
    print("lojal_member_lookup", library);
    print("hand-written HTTP/1.1 request", plain);
    std::printf("  ratio liblojal / hand-written: p50 %.2f   p99 %.2f\n",
                percentile(library, 50) / percentile(plain, 50),
                percentile(library, 99) / percentile(plain, 99));
}

void scans(int count) {
    TempDir dir;
    int master = -1, slave = -1;
    char name[256];
    if (openpty(&master, &slave, name, nullptr, nullptr) != 0) die("no pty");
    termios tio{};
    tcgetattr(slave, &tio);
    cfmakeraw(&tio);
    tcsetattr(slave, TCSANOW, &tio);
    const std::string link = dir.file("scanner");
    if (symlink(name, link.c_str()) != 0) die("no link to the pty");
    RunningLojald lojald("[device.bench]\ndriver = serial-scanner\nport = " + link +
                         "\nbaud = 115200\nsuffix = cr\ndedup_window_ms = 0\n");
    EventClient raw(lojald.port, kPosToken, "?since=0");
    if (raw.waitFor({"\"state\":\"ready\""}).empty()) die("the scanner never became ready");
    lojal_client* client = nullptr;
    lojal_client_new(("http://127.0.0.1:" + std::to_string(lojald.port)).c_str(), kPosToken,
                     &client);
    uint64_t seq = 0;
    char* json = nullptr;
    for (;;) {  // the stream is up once the library says so
        if (lojal_event_next(client, 5000, &seq, &json) != LOJAL_OK)
            die("the library never came online");
        const bool online = std::string(json).find("\"online\"") != std::string::npos;
        lojal_free(json);
        if (online) break;
    }
    std::vector<double> library, websocket;
    for (int i = 0; i < count; ++i) {
        const std::string scan = "]C0BENCH" + std::to_string(i) + "\r";
        const std::string marker = "BENCH" + std::to_string(i) + "\"";
        if (write(master, scan.data(), scan.size()) != static_cast<ssize_t>(scan.size()))
            die("pty write");
        const auto written = Clock::now();
        // The library's event first, then the raw stream's (already waiting for it).
        if (lojal_event_next(client, 5000, &seq, &json) != LOJAL_OK ||
            std::string(json).find(marker) == std::string::npos)
            die("the library's event is not the scan");
        library.push_back(micros(written, Clock::now()));
        lojal_free(json);
        if (raw.next(std::chrono::seconds(5)).find(marker) == std::string::npos)
            die("the raw event is not the scan");
    }
    // The raw WebSocket alone, for comparison.
    for (int i = 0; i < count; ++i) {
        const std::string scan = "]C0RAW" + std::to_string(i) + "\r";
        if (write(master, scan.data(), scan.size()) != static_cast<ssize_t>(scan.size()))
            die("pty write");
        const auto written = Clock::now();
        if (raw.next(std::chrono::seconds(5)).find("RAW" + std::to_string(i) + "\"") ==
            std::string::npos)
            die("the raw event is not the scan");
        websocket.push_back(micros(written, Clock::now()));
        if (lojal_event_next(client, 5000, &seq, &json) == LOJAL_OK) lojal_free(json);
    }
    lojal_client_free(client);
    close(master);
    close(slave);
    std::printf("scan on the pty -> event, %d scans one at a time (goal p99 < 2 ms):\n", count);
    print("lojal_event_next", library);
    print("raw /v1/events WebSocket (test client)", websocket);
}

// pos-rss-bench, a C host that dlopens the library, against a running lojald.
// For a C host, and for one that already has libstdc++ (C++, .NET and Java hosts).
void residentMemory() {
    RunningLojald lojald;
    const std::string url = "http://127.0.0.1:" + std::to_string(lojald.port);
    for (const bool cxxHost : {false, true}) {
        std::vector<std::string> args = {LOJAL_LIBRARY_FILE, url, kPosToken};
        if (cxxHost) args.push_back("libstdc++.so.6");
        ChildProcess host(POS_RSS_BENCH_PATH, args, "/");
        const auto status = host.waitForExit(std::chrono::seconds(30));
        std::printf("%s", host.output().c_str());
        if (status != 0) die("pos-rss-bench failed");
    }
}

}  // namespace

int main(int argc, char** argv) {
    lookups(argc > 1 ? std::atoi(argv[1]) : 20000);
    scans(argc > 2 ? std::atoi(argv[2]) : 2000);
    residentMemory();
}
