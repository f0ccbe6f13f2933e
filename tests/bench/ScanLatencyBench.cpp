// Scan latency: from the last byte of a scan written to the pty to its event read
// from the /v1/events WebSocket, through the real lojald; and the pure parser's
// throughput. Prints figures; asserts nothing (tests assert behaviour).
//
//   scan-latency-bench [SCANS]      (default 10000)
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "LojaldProcess.h"
#include "barcode/Scan.h"

using namespace lojal::test;
using Clock = std::chrono::steady_clock;

namespace {

void parserThroughput() {
    const std::vector<std::string> frames = {
        "]E04006381333931",
        "]C10109501101020917"
        "17261231"
        "10LOT42\x1d"
        "21SER9",
        "2990000012340", "]Q1https://id.gs1.org/01/09506000134352/10/AB12?17=271231",
        "]E473513537"};
    lojal::barcode::ClassifierConfig config;
    config.memberCardRanges = {{"2990000000000", "2990999999999"}};
    size_t decoded = 0;
    const auto start = Clock::now();
    while (Clock::now() - start < std::chrono::seconds(2)) {
        for (const auto& frame : frames) {
            const auto scan = lojal::barcode::decodeScan(frame, config, 1795000000);
            decoded += scan.valid ? 1 : 1;
        }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf(
        "parser: %.0f scans/s (decodeScan over a mix of EAN-13, GS1-128, member card, Digital "
        "Link, EAN-8)\n",
        decoded / seconds);
}

}  // namespace

int main(int argc, char** argv) {
    const int scans = argc > 1 ? std::atoi(argv[1]) : 10000;
    TempDir dir;
    int master = -1, slave = -1;
    char name[256];
    if (openpty(&master, &slave, name, nullptr, nullptr) != 0) return 1;
    termios tio{};
    tcgetattr(slave, &tio);
    cfmakeraw(&tio);
    tcsetattr(slave, TCSANOW, &tio);
    const std::string link = dir.file("scanner");
    if (symlink(name, link.c_str()) != 0) return 1;

    RunningLojald lojald("[device.bench]\ndriver = serial-scanner\nport = " + link +
                         "\nbaud = 115200\nsuffix = cr\ndedup_window_ms = 0\n");
    EventClient events(lojald.port, kPosToken, "?since=0");
    if (events.waitFor({"\"state\":\"ready\""}).empty()) {
        std::fprintf(stderr, "scanner never became ready\n");
        return 1;
    }
    std::vector<double> micros;
    micros.reserve(static_cast<size_t>(scans));
    for (int i = 0; i < scans; ++i) {
        const std::string scan = "]C0BENCH" + std::to_string(i) + "\r";
        if (write(master, scan.data(), scan.size()) != static_cast<ssize_t>(scan.size())) return 1;
        const auto written = Clock::now();
        const std::string message = events.next(std::chrono::seconds(5));
        const auto received = Clock::now();
        if (message.find("BENCH" + std::to_string(i) + "\"") == std::string::npos) {
            std::fprintf(stderr, "scan %d: unexpected event %s\n", i, message.c_str());
            return 1;
        }
        micros.push_back(std::chrono::duration<double, std::micro>(received - written).count());
    }
    std::printf("scan latency, pty write -> WebSocket event, %d scans one at a time:\n", scans);
    std::printf("  p50 %.0f us   p90 %.0f us   p99 %.0f us   max %.0f us\n", percentile(micros, 50),
                percentile(micros, 90), percentile(micros, 99), percentile(micros, 100));
    std::printf(
        "  (a pty delivers at once; at 115200 baud a 16-byte scan itself takes 1.4 ms on the "
        "wire)\n");
    parserThroughput();

    // Unplugged: the reader must back off, not spin.
    const auto cpuTicks = [&] {
        std::ifstream stat("/proc/" + std::to_string(lojald.process->pid()) + "/stat");
        std::string text((std::istreambuf_iterator<char>(stat)), {});
        std::istringstream fields(text.substr(text.rfind(')') + 2));
        std::string skip;
        for (int i = 0; i < 11; ++i) fields >> skip;  // fields 3..13
        long user = 0, system = 0;
        fields >> user >> system;
        return user + system;
    };
    unlink(link.c_str());
    close(master);
    close(slave);
    if (events.waitFor({"\"state\":\"absent\""}).empty()) return 1;
    const long before = cpuTicks();
    const auto absentFrom = Clock::now();
    while (Clock::now() - absentFrom < std::chrono::seconds(5)) {  // five idle seconds
        events.next(std::chrono::milliseconds(500));
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - absentFrom).count();
    const double cpu =
        100.0 * static_cast<double>(cpuTicks() - before) / sysconf(_SC_CLK_TCK) / seconds;
    std::printf("CPU while the scanner is absent: %.2f %% of one core over %.1f s\n", cpu, seconds);

    // Plugged back in: how long until it reads again.
    if (openpty(&master, &slave, name, nullptr, nullptr) != 0 || symlink(name, link.c_str()) != 0)
        return 1;
    const auto replugged = Clock::now();
    if (events.waitFor({"\"state\":\"ready\""}).empty()) return 1;
    std::printf("replug -> ready: %.0f ms (backoff capped at 1 s)\n",
                std::chrono::duration<double, std::milli>(Clock::now() - replugged).count());
    close(master);
    close(slave);
    return 0;
}
