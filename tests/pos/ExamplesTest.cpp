// The examples of plugins/pos/examples run against the real lojald, each
// loading the real liblojal: C (built -std=c99 -pedantic), Python (ctypes), C#
// (Mono's mcs) and Java (JNA). C# and Java are skipped, with a message, where
// their Debian packages (mono-mcs; default-jdk-headless and libjna-java) are
// missing.
#define BOOST_TEST_MODULE liblojal examples
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "LojaldProcess.h"

using namespace lojal::test;

namespace {

const std::string kExamples = std::string(LOJAL_SOURCE_DIR) + "/plugins/pos/examples";

// Under ASan the library needs the sanitizer's runtime loaded first, which
// python3, mono and java (not instrumented) do not do: those run in `make test`.
bool skippedUnderSanitizers(const char* what) {
#ifdef LOJAL_SANITIZED_BUILD
    BOOST_TEST_MESSAGE("skipped in the sanitizer build: " << what << " is not instrumented");
    return true;
#else
    (void)what;
    return false;
#endif
}

bool installed(const std::string& path) {
    return ::access(path.c_str(), X_OK) == 0 || ::access(path.c_str(), R_OK) == 0;
}

// Runs a program to its end; its output when it exited 0, else fails the test.
void runExample(const std::string& name, const std::string& program,
                const std::vector<std::string>& args) {
    ChildProcess child(program, args, "/");
    const auto status = child.waitForExit(120s);
    BOOST_REQUIRE_MESSAGE(status.has_value(), name << " did not finish:\n" << child.output());
    BOOST_TEST(*status == 0, name << " exited " << *status << ":\n" << child.output());
    BOOST_TEST(child.output().find("example ok") != std::string::npos, child.output());
    BOOST_TEST(child.output().find("\"duplicate\"") != std::string::npos, child.output());
}

struct Daemon {
    RunningLojald lojald;
    std::string url = "http://127.0.0.1:" + std::to_string(lojald.port);
    TempDir work;
};

}  // namespace

BOOST_AUTO_TEST_CASE(c) {
    Daemon d;
    runExample("the C example", LOJAL_EXAMPLE_C, {d.url, kPosToken});
}

// The same C example cross-built for Windows against lojal1.dll, run under wine
// against this lojald (wine's sockets are Linux's). `make test-windows` builds
// them and names the .exe in LOJAL_WINDOWS_EXAMPLE (lojal1.dll beside it);
// skipped otherwise.
BOOST_AUTO_TEST_CASE(c_on_windows_under_wine) {
    const char* example = std::getenv("LOJAL_WINDOWS_EXAMPLE");
    if (!example || !*example) {
        BOOST_TEST_MESSAGE("skipped: make test-windows runs it (LOJAL_WINDOWS_EXAMPLE)");
        return;
    }
    const char* prefix = std::getenv("WINEPREFIX");
    BOOST_REQUIRE_MESSAGE(prefix && *prefix, "WINEPREFIX must name a wine prefix");
    Daemon d;
    runExample(
        "the C example on lojal1.dll under wine", "/usr/bin/env",
        {std::string("WINEPREFIX=") + prefix, "WINEDEBUG=-all", "wine", example, d.url, kPosToken});
}

BOOST_AUTO_TEST_CASE(python_ctypes) {
    if (skippedUnderSanitizers("python3")) return;
    Daemon d;
    runExample("the Python example", "/usr/bin/env",
               {std::string("LOJAL_LIBRARY=") + LOJAL_LIBRARY_FILE, "/usr/bin/python3",
                kExamples + "/python/example.py", d.url, kPosToken});
}

BOOST_AUTO_TEST_CASE(csharp_mono) {
    if (skippedUnderSanitizers("mono")) return;
    if (!installed("/usr/bin/mcs") || !installed("/usr/bin/mono")) {
        BOOST_TEST_MESSAGE("skipped: the C# example needs Debian's mono-mcs");
        return;
    }
    Daemon d;
    const std::string exe = d.work.file("Example.exe");
    ChildProcess compile("/usr/bin/mcs",
                         {"-nologo", "-out:" + exe, kExamples + "/csharp/Example.cs"}, "/");
    BOOST_REQUIRE_MESSAGE(compile.waitForExit(120s) == 0, compile.output());
    runExample("the C# example", "/usr/bin/env",
               {std::string("LD_LIBRARY_PATH=") + LOJAL_LIBRARY_DIR, "/usr/bin/mono", exe, d.url,
                kPosToken});
}

BOOST_AUTO_TEST_CASE(java_jna) {
    if (skippedUnderSanitizers("java")) return;
    const std::string jna = "/usr/share/java/jna.jar";
    if (!installed("/usr/bin/javac") || !installed(jna)) {
        BOOST_TEST_MESSAGE(
            "skipped: the Java example needs Debian's default-jdk-headless and libjna-java");
        return;
    }
    Daemon d;
    ChildProcess compile("/usr/bin/javac",
                         {"-d", d.work.path(), "-cp", jna, kExamples + "/java/Example.java"}, "/");
    BOOST_REQUIRE_MESSAGE(compile.waitForExit(120s) == 0, compile.output());
    runExample(
        "the Java example", "/usr/bin/java",
        {"-cp", jna + ":" + d.work.path(), std::string("-Djna.library.path=") + LOJAL_LIBRARY_DIR,
         "Example", d.url, kPosToken});
}

// lojal-pos, scripted on its standard input as the README's demo does, against
// lojald with a simulated scanner and card terminal.
BOOST_AUTO_TEST_CASE(the_cashier_client_runs_a_script) {
    TempDir simDir;
    ScannerSim scanner(simDir.file("scanner"));
    BOOST_REQUIRE(scanner.command("plug").rfind("ok plugged", 0) == 0);
    ZvtSim terminal(simDir.file("zvt"));
    RunningLojald lojald(
        "[signup]\nbase_url = https://join.example.com\nsecret = "
        "s3cret-s3cret-s3cret-s3cret-s3cret-0042\n[device.scanner-1]\ndriver = "
        "serial-scanner\nport = " +
        scanner.link() + "\nsuffix = cr\n[device.t1]\ndriver = zvt\nport = " + terminal.location() +
        "\ncard_token_key = a-long-key-shared-by-every-store\n");
    BOOST_REQUIRE(!EventClient(lojald.port, kPosToken, "?since=0")
                       .waitFor({"\"flow\":\"registration\"", "\"stage\":\"finished\""})
                       .empty());
    ChildProcess cashier(
        LOJAL_POS_PATH,
        {"--url", "http://127.0.0.1:" + std::to_string(lojald.port), "--token", kPosToken}, "/");
    BOOST_REQUIRE(cashier.waitForOutput("status: lojald online"));
    BOOST_TEST(cashier.waitForOutput("| t1 ready"), cashier.output());
    cashier.writeLine("signup 070-123 45 67");
    BOOST_TEST(cashier.waitForOutput("ok signup: {\"phone\":\"+46701234567\""), cashier.output());
    cashier.writeLine("read-card t1");
    cashier.writeLine("wait-ops 10000");
    BOOST_TEST(cashier.waitForOutput("ok read-card t1: {\"card\":{"), cashier.output());
    cashier.writeLine("pay t1 12.50");
    cashier.writeLine("wait-ops 10000");
    BOOST_TEST(cashier.waitForOutput("ok pay t1 12.50: {\"amount\":\"12.50\""), cashier.output());
    BOOST_REQUIRE(scanner.command("scan 4006381333931").rfind("ok", 0) == 0);
    cashier.writeLine("wait-event scan 10000");
    BOOST_TEST(cashier.waitForOutput("ok wait-event scan"), cashier.output());
    BOOST_TEST(cashier.output().find("\"label\":\"4006381333931\"") != std::string::npos);
    cashier.writeLine("quit");
    BOOST_TEST((cashier.waitForExit() == 0), cashier.output());

    // A failed command makes the exit status 1, and says why.
    ChildProcess failing(
        LOJAL_POS_PATH,
        {"--url", "http://127.0.0.1:" + std::to_string(lojald.port), "--token", kPosToken}, "/");
    failing.writeLine("signup 12");
    failing.writeLine("quit");
    BOOST_TEST((failing.waitForExit() == 1), failing.output());
    BOOST_TEST(failing.output().find("error signup: invalid argument (invalid_phone)") !=
                   std::string::npos,
               failing.output());
}
