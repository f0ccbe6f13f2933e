#define BOOST_TEST_MODULE replay
// Replays every recorded device session under tests/data/<driver>/ into the real
// lojald through the simulator and a pty, and compares the events it publishes
// with the session's golden file (in the spirit of gpsd's regression suite).
//
// Scanner sessions are one-way; a zvt session also checks what lojald sends
// ("> HEX" lines: the Registration at open, ACKs, NAKs, 80 00 00 answers).
// A session's headers give the device: "# Serial: 9600 8N1",
// "# Options: key=value ..." (driver options), "# Scanning: key=value ..."
// ([scanning] keys). Golden files hold one normalised event per line (no seq or
// time). `make golden` rewrites them on purpose (LOJAL_UPDATE_GOLDEN=1); commit
// the change with the reason.
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "LojaldProcess.h"

using namespace lojal::test;
namespace fs = std::filesystem;

namespace {

struct SessionHeader {
    std::string driver;
    std::string serial;  // "9600 8N1"
    std::vector<std::pair<std::string, std::string>> options;
    std::vector<std::pair<std::string, std::string>> scanning;
    std::string command;  // "# Command: read-card": posted to the terminal after its registration
};

std::vector<std::pair<std::string, std::string>> keyValues(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> pairs;
    std::istringstream words(text);
    std::string word;
    while (words >> word) {
        const size_t eq = word.find('=');
        if (eq != std::string::npos) pairs.emplace_back(word.substr(0, eq), word.substr(eq + 1));
    }
    return pairs;
}

SessionHeader readHeader(const fs::path& session) {
    SessionHeader header;
    header.driver = session.parent_path().filename().string();
    std::ifstream in(session);
    std::string line;
    while (std::getline(in, line) && !line.empty() && line[0] == '#') {
        const auto value = [&](const std::string& key) {
            return line.rfind("# " + key + ":", 0) == 0 ? line.substr(key.size() + 3)
                                                        : std::string();
        };
        if (auto serial = value("Serial"); !serial.empty()) header.serial = serial;
        if (auto options = value("Options"); !options.empty()) header.options = keyValues(options);
        if (auto scanning = value("Scanning"); !scanning.empty())
            header.scanning = keyValues(scanning);
        if (auto command = value("Command"); !command.empty()) {
            std::istringstream words(command);
            words >> header.command;
        }
    }
    return header;
}

std::string configFor(const SessionHeader& header, const std::string& port) {
    std::istringstream serial(header.serial);
    std::string baud, frame;
    serial >> baud >> frame;  // "8N1"
    std::string text = "[device.replay]\ndriver = " + header.driver + "\nport = " + port +
                       "\nbaud = " + baud + "\n";
    if (frame.size() == 3) {
        static const std::map<char, std::string> parities = {
            {'N', "none"}, {'E', "even"}, {'O', "odd"}};
        text += "data_bits = " + frame.substr(0, 1) + "\nparity = " + parities.at(frame[1]) +
                "\nstop_bits = " + frame.substr(2, 1) + "\n";
    }
    for (const auto& [key, value] : header.options) text += key + " = " + value + "\n";
    text += "[scanning]\n";
    for (const auto& [key, value] : header.scanning) text += key + " = " + value + "\n";
    return text;
}

std::string suffixHex(const SessionHeader& header) {
    for (const auto& [key, value] : header.options) {
        if (key == "suffix")
            return value == "crlf" ? "0d0a" : value == "lf" ? "0a" : value == "none" ? "" : "0d";
    }
    return "0d";
}

// The event without what changes from run to run.
std::string normalise(const std::string& message) {
    Poco::JSON::Parser parser;
    auto event = parser.parse(message).extract<Poco::JSON::Object::Ptr>();
    Poco::JSON::Object stable(Poco::JSON_PRESERVE_KEY_ORDER);
    stable.set("type", event->get("type"));
    stable.set("device", event->get("device"));
    stable.set("data", event->get("data"));
    std::ostringstream out;
    stable.stringify(out);
    return out.str();
}

std::vector<std::string> replay(const fs::path& session) {
    const SessionHeader header = readHeader(session);
    TempDir simDir;
    ScannerSim sim(simDir.file("port"));
    BOOST_REQUIRE(sim.command("plug").rfind("ok", 0) == 0);
    RunningLojald lojald(configFor(header, sim.link()));
    EventClient events(lojald.port, kPosToken, "?since=0");
    BOOST_REQUIRE(!events.waitFor({"\"state\":\"ready\""}).empty());
    // A scanner session gets a last, unmistakable scan ("#END#") 200 ms after the
    // last record, which marks the end of what it produced; a terminal session
    // ends with its flow's "finished" event.
    const bool terminal = header.driver == "zvt";
    const std::string marked = simDir.file("marked.session");
    if (terminal) {
        fs::copy_file(session, marked);
    } else {
        std::ifstream in(session);
        std::ofstream out(marked);
        std::string line;
        long lastOffset = 0;
        while (std::getline(in, line)) {
            out << line << "\n";
            if (!line.empty() && line[0] != '#') lastOffset = std::stol(line);
        }
        out << lastOffset + 200 << " < 23454e4423" << suffixHex(header) << "\n";
    }
    // A terminal session's command goes out once the registration at open is
    // done, while the simulator plays (it waits for the command's frame).
    std::thread poster;
    if (!header.command.empty()) {
        poster = std::thread([&] {
            EventClient watcher(lojald.port, kPosToken, "?since=0");
            watcher.waitFor({"\"flow\":\"registration\"", "\"stage\":\"finished\""});
            const auto posted =
                httpRequest(lojald.port, "POST", "/v1/terminals/replay/" + header.command,
                            header.command == "status" ? kAdminToken : kPosToken);
            BOOST_TEST(posted.status == 202, posted.body);
        });
    }
    const std::string played = sim.command("play " + marked, 30s);
    if (poster.joinable()) poster.join();
    BOOST_REQUIRE_MESSAGE(played.rfind("ok played", 0) == 0, played);
    std::vector<std::string> produced;
    while (true) {
        const std::string message = events.next(10s);
        BOOST_REQUIRE_MESSAGE(!message.empty(), "no end mark from " + session.string());
        if (terminal) {
            if (message.find("\"type\":\"device\"") != std::string::npos) continue;
            produced.push_back(normalise(message));
            const std::string lastFlow = header.command.empty() ? "registration" : header.command;
            if (message.find("\"stage\":\"finished\"") != std::string::npos &&
                message.find("\"flow\":\"" + lastFlow + "\"") != std::string::npos)
                break;
            continue;
        }
        if (message.find("\"type\":\"scan\"") == std::string::npos) continue;
        if (message.find("\"label\":\"#END#\"") != std::string::npos) break;
        produced.push_back(normalise(message));
    }
    return produced;
}

std::vector<fs::path> sessions() {
    std::vector<fs::path> found;
    for (const auto& entry : fs::recursive_directory_iterator(LOJAL_TEST_DATA)) {
        if (entry.path().extension() == ".session") found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    return found;
}

std::vector<std::string> readLines(const fs::path& file) {
    std::vector<std::string> lines;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_recorded_session_produces_its_golden_events) {
    const bool update = std::getenv("LOJAL_UPDATE_GOLDEN") != nullptr;
    const auto all = sessions();
    BOOST_REQUIRE(!all.empty());
    for (const fs::path& session : all) {
        BOOST_TEST_CONTEXT(session.filename().string()) {
            const std::vector<std::string> produced = replay(session);
            fs::path golden = session;
            golden.replace_extension(".golden");
            if (update) {
                std::ofstream out(golden);
                for (const auto& line : produced) out << line << "\n";
                BOOST_TEST_MESSAGE("wrote " << golden.string() << " (" << produced.size()
                                            << " events)");
                continue;
            }
            BOOST_REQUIRE_MESSAGE(fs::exists(golden),
                                  golden.string() + " is missing: run `make golden`");
            const std::vector<std::string> expected = readLines(golden);
            BOOST_TEST(produced.size() == expected.size());
            for (size_t i = 0; i < std::min(produced.size(), expected.size()); ++i) {
                BOOST_TEST(produced[i] == expected[i], "event " << i + 1 << " differs");
            }
        }
    }
}
