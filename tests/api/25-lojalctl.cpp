#define BOOST_TEST_MODULE api_lojalctl
// lojalctl against a real lojald: every command's exit code and output (--json
// parsed), dead letters requeued after a fix, tokens added and revoked without a
// restart, erasure by phone that leaves nothing in the database file or its
// WAL, and a backup taken under a receipt load that restores to a database
// holding every receipt acknowledged before it began.
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "ExampleReceipt.h"
#include "LojaldProcess.h"
#include "TestCrm.h"
#include "config/Config.h"
#include "store/Migrations.h"

using namespace lojal::test;

namespace {

struct Ctl {
    int exit = -1;
    std::string output;  // standard output and error
};

// Runs lojalctl for the daemon in dir (its config, an admin token file there).
Ctl lojalctl(const TempDir& dir, const std::string& config, std::vector<std::string> args,
             const std::string& token = kAdminToken) {
    dir.write("ctl.token", token + "\n");
    args.insert(args.begin(), {"--config", config, "--token-file", dir.file("ctl.token")});
    ChildProcess process(LOJALCTL_PATH, args, dir.path());
    const auto code = process.waitForExit(60s);
    return {code.value_or(-1), process.output()};
}

Poco::JSON::Object::Ptr json(const Ctl& ctl) {
    BOOST_REQUIRE_MESSAGE(ctl.exit == 0, ctl.output);
    return Poco::JSON::Parser().parse(ctl.output).extract<Poco::JSON::Object::Ptr>();
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string crmConfig(const TestCrm& crm, const std::string& extra = "") {
    return "[store]\nid = SE-0042\nname = Rusta\ncountry = SE\n"
           "[signup]\nbase_url = https://join.example.com\nsecret = "
           "s3cret-s3cret-s3cret-s3cret-s3cret-0042\n"
           "[crm]\nsync = on\nurl = " +
           crm.url() +
           "\napi_key = k\nretry_max_seconds = 1\n[members]\nsync_interval_seconds = 1\n"
           "[alerts]\ninterval_seconds = 1\n" +
           extra;
}

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

BOOST_AUTO_TEST_CASE(status_devices_ports_alerts_and_log_level) {
    TempDir simDir;
    ScannerSim sim(simDir.file("scanner"));
    BOOST_REQUIRE(sim.command("plug").rfind("ok plugged", 0) == 0);
    TestCrm crm;
    RunningLojald lojald(
        crmConfig(crm, "[device.scanner1]\ndriver = serial-scanner\nport = " + sim.link() + "\n"));
    const auto& dir = lojald.dir;
    const std::string& config = lojald.config;
    // The scanner is opened after the API listens: "ready" below is asserted once
    // lojald has announced it (a loaded machine opens it later).
    EventClient events(lojald.port, kPosToken, "?since=0");
    BOOST_REQUIRE(!events.waitFor({"\"type\":\"device\"", "\"state\":\"ready\""}).empty());

    const auto status = json(lojalctl(dir, config, {"status", "--json"}));
    BOOST_TEST(status->getValue<std::string>("store_id") == "SE-0042");
    BOOST_TEST(status->getObject("database")->getValue<int>("schema_version") ==
               lojal::migrations().back().version);
    BOOST_TEST(status->getObject("crm")->getValue<bool>("sync"));
    BOOST_TEST(status->getArray("listeners")->getElement<std::string>(0) ==
               "http://127.0.0.1:" + std::to_string(lojald.port));
    BOOST_TEST(status->getObject("queues")->getObject("receipt")->getValue<int>("backlog") == 0);
    BOOST_TEST(status->getArray("devices")->getObject(0)->getValue<std::string>("name") ==
               "scanner1");
    const Ctl table = lojalctl(dir, config, {"status"});
    BOOST_TEST(table.exit == 0);
    BOOST_TEST(has(table.output, "QUEUE    BACKLOG  OLDEST  DEAD"), table.output);
    BOOST_TEST(has(table.output, "scanner1"), table.output);
    // The monitor role reads status and alerts, and nothing it may not.
    BOOST_TEST(lojalctl(dir, config, {"status"}, kMonitorToken).exit == 0);
    BOOST_TEST(lojalctl(dir, config, {"alerts"}, kMonitorToken).exit == 0);
    const Ctl forbidden = lojalctl(dir, config, {"queue", "list"}, kMonitorToken);
    BOOST_TEST(forbidden.exit == 4, forbidden.output);
    BOOST_TEST(lojalctl(dir, config, {"status"}, "not-a-token-not-a-token-xx").exit == 4);

    const auto devices = json(lojalctl(dir, config, {"devices", "--json"}));
    BOOST_TEST(devices->getArray("devices")->getObject(0)->getValue<std::string>("state") ==
               "ready");
    const auto ports = json(lojalctl(dir, config, {"ports", "--json"}));
    BOOST_TEST(ports->has("ports"));

    BOOST_TEST(lojalctl(dir, config, {"log-level", "warning"}).exit == 0);
    BOOST_TEST(
        json(lojalctl(dir, config, {"status", "--json"}))->getValue<std::string>("log_level") ==
        "warning");
    const Ctl loud = lojalctl(dir, config, {"log-level", "loud"});
    BOOST_TEST(loud.exit == 1);
    BOOST_TEST(has(loud.output, "invalid_field"), loud.output);

    // Usage, an absent lojald, a missing item.
    const Ctl usage = lojalctl(dir, config, {"queue", "retry"});
    BOOST_TEST(usage.exit == 2);
    BOOST_TEST(has(usage.output, "usage: lojalctl queue"), usage.output);
    const Ctl away = lojalctl(dir, config, {"--url", "http://127.0.0.1:1", "status"});
    BOOST_TEST(away.exit == 3, away.output);
    BOOST_TEST(lojalctl(dir, config, {"queue", "show", "424242"}).exit == 5);
    BOOST_TEST(lojalctl(dir, config, {"status", "--help"}).exit == 0);
}

BOOST_AUTO_TEST_CASE(check_config_finds_what_lojald_would_refuse) {
    TempDir dir;
    const std::string good = writeTestConfig(dir, freePort());
    const Ctl ok = lojalctl(dir, good, {"check-config", good});
    BOOST_TEST(ok.exit == 0, ok.output);
    BOOST_TEST(has(ok.output, "configuration OK"), ok.output);
    dir.write("bad.ini", "[server]\nthreads = many\n");
    const Ctl bad = lojalctl(dir, good, {"check-config", dir.file("bad.ini")});
    BOOST_TEST(bad.exit == 6);
    BOOST_TEST(has(bad.output, "key 'server.threads'"), bad.output);
    // A driver's option is checked too, as lojald does at start.
    dir.write("device.ini", "[device.s]\ndriver = serial-scanner\nport = /dev/ttyS0\nsuffix = x\n");
    const Ctl device = lojalctl(dir, good, {"check-config", dir.file("device.ini")});
    BOOST_TEST(device.exit == 6, device.output);
    BOOST_TEST(has(device.output, "suffix"), device.output);
}

BOOST_AUTO_TEST_CASE(dead_letters_are_listed_shown_and_sent_again_after_a_fix) {
    TestCrm crm;
    crm.rejectIdsStartingWith("bad-");
    RunningLojald lojald(crmConfig(crm));
    const auto& dir = lojald.dir;
    for (const char* id : {"bad-1", "bad-2", "good-1"}) {
        BOOST_REQUIRE_EQUAL(
            httpRequest(lojald.port, "POST", "/v1/receipts", kPosToken, exampleReceiptWithId(id))
                .status,
            202);
    }
    BOOST_REQUIRE(crm.waitForStored(1, 10s));
    Poco::JSON::Array::Ptr dead;
    BOOST_REQUIRE(eventually([&] {
        dead = json(lojalctl(dir, lojald.config, {"queue", "list", "--json"}))->getArray("items");
        return dead->size() == 2u;
    }));
    const int64_t id = dead->getObject(0)->getValue<int64_t>("id");
    BOOST_TEST(dead->getObject(0)->getValue<std::string>("state") == "dead");
    const Ctl shown = lojalctl(dir, lojald.config, {"queue", "show", std::to_string(id)});
    BOOST_TEST(shown.exit == 0);
    BOOST_TEST(has(shown.output, "bad-2"), shown.output);  // newest first
    // Any dead letter is an alert until it is dealt with.
    BOOST_REQUIRE(eventually([&] {
        return has(lojalctl(dir, lojald.config, {"alerts"}).output, "dead_letters:receipt");
    }));

    crm.rejectIdsStartingWith("never-");  // the CRM's problem is fixed
    const Ctl one = lojalctl(dir, lojald.config, {"queue", "retry", std::to_string(id)});
    BOOST_TEST(one.exit == 0, one.output);
    BOOST_TEST(has(one.output, "1 item queued again"), one.output);
    const Ctl again = lojalctl(dir, lojald.config, {"queue", "retry", std::to_string(id)});
    BOOST_TEST(again.exit == 1);  // no longer dead
    BOOST_TEST(has(again.output, "not_dead"), again.output);
    const Ctl rest = lojalctl(dir, lojald.config, {"queue", "retry", "--all-dead"});
    BOOST_TEST(has(rest.output, "1 item queued again"), rest.output);
    BOOST_REQUIRE(crm.waitForStored(3, 10s));
    BOOST_TEST(crm.timesStored("bad-1") == 1);
    BOOST_REQUIRE(eventually(
        [&] { return !has(lojalctl(dir, lojald.config, {"alerts"}).output, "dead_letters"); }));
    // Who asked is in lojald's log.
    BOOST_TEST(has(lojald.process->output(), "requeued by token it-admin"));
    const Ctl sms =
        lojalctl(dir, lojald.config, {"queue", "retry", "--all-dead", "--topic", "sms"});
    BOOST_TEST(sms.exit == 1);
    BOOST_TEST(has(sms.output, "not_retryable"), sms.output);
}

BOOST_AUTO_TEST_CASE(tokens_are_added_and_revoked_without_a_restart) {
    TempDir dir;
    const int port = freePort();
    const std::string config =
        writeTestConfig(dir, port, "[auth]\ntokens_file = " + dir.file("tokens") + "\n");
    LojaldProcess process({"--config", config}, dir.path());
    BOOST_REQUIRE(process.waitUntilReady());

    const Ctl empty = lojalctl(dir, config, {"tokens", "list"});
    BOOST_TEST(empty.exit == 0);
    BOOST_TEST(has(empty.output, "no tokens"), empty.output);
    const auto added =
        json(lojalctl(dir, config, {"--json", "tokens", "add", "register-9", "pos"}));
    const std::string secret = added->getValue<std::string>("token");
    BOOST_TEST(secret.size() == 64u);
    const auto who = httpRequest(port, "GET", "/v1/whoami", secret);
    BOOST_TEST(who.status == 200, who.body);
    BOOST_TEST(has(who.body, "\"token\":\"register-9\""), who.body);
    // Only the hash is on disk.
    BOOST_TEST(!has(readBytes(dir.file("tokens")), secret));
    BOOST_TEST(has(lojalctl(dir, config, {"tokens", "list"}).output, "register-9  pos"));
    BOOST_TEST(lojalctl(dir, config, {"tokens", "add", "register-9", "pos"}).exit == 1);
    BOOST_TEST(lojalctl(dir, config, {"tokens", "add", "x", "boss"}).exit == 2);

    BOOST_TEST(lojalctl(dir, config, {"tokens", "revoke", "register-9"}).exit == 0);
    BOOST_TEST(httpRequest(port, "GET", "/v1/whoami", secret).status == 401);
    BOOST_TEST(lojalctl(dir, config, {"tokens", "revoke", "register-9"}).exit == 5);

    // A hand edit takes effect on SIGHUP (systemctl reload); a broken file keeps the old set.
    const std::string handSecret = "hand-made-secret-hand-made-secret";
    std::ofstream(dir.file("tokens"), std::ios::app)
        << "kiosk-7 kiosk sha256:" << lojal::sha256Hex(handSecret) << "\n";
    process.signal(SIGHUP);
    BOOST_REQUIRE(eventually(
        [&] { return httpRequest(port, "GET", "/v1/whoami", handSecret).status == 200; }));
    std::ofstream(dir.file("tokens"), std::ios::app) << "garbage line\n";
    process.signal(SIGHUP);
    BOOST_REQUIRE(process.waitForOutput("tokens not reloaded"));
    BOOST_TEST(httpRequest(port, "GET", "/v1/whoami", handSecret).status == 200);
    const auto reload = httpRequest(port, "POST", "/v1/admin/tokens/reload", kAdminToken);
    BOOST_TEST(reload.status == 422);
    BOOST_TEST(errorCode(reload.body) == "invalid_tokens_file");
}

BOOST_AUTO_TEST_CASE(erasure_by_phone_leaves_the_number_nowhere_in_the_database_or_its_wal) {
    TestCrm crm;
    const std::string phone = "+46703334455";
    crm.putMember("M7", phone, {"card-tok-7"}, "gold", 70);
    crm.failNext(1 << 30, 503);  // receipts and sign-ups stay queued with the data
    RunningLojald lojald(crmConfig(crm, "[sms]\n"));
    const int port = lojald.port;
    const std::string db = lojald.dir.file("lojal.db");
    BOOST_REQUIRE(eventually([&] {
        return queryDatabase(db, "SELECT count(*) FROM members WHERE member_id = 'M7'") == "1\n";
    }));
    std::string receipt = exampleReceiptWithId("erase-1");
    receipt.replace(receipt.find("+46701234567"), 12, phone);
    BOOST_REQUIRE_EQUAL(httpRequest(port, "POST", "/v1/receipts", kPosToken, receipt).status, 202);
    const std::string signup =
        R"({"phone":"070-333 44 55","cashier_id":"c-7","register_id":"reg-1","consent":{"marketing_sms":true,"terms_version":"2026-01","text_shown":"Ja."}})";
    BOOST_REQUIRE_EQUAL(httpRequest(port, "POST", "/v1/signups", kPosToken, signup).status, 202);
    BOOST_REQUIRE_EQUAL(
        httpRequest(port, "POST", "/v1/otp", kKioskToken, R"({"phone":"0703334455"})").status, 202);
    const std::string digits = phone.substr(1);
    BOOST_REQUIRE(has(readBytes(db) + readBytes(db + "-wal"), digits));

    const Ctl erased = lojalctl(lojald.dir, lojald.config, {"erase", "--phone", "070-333 44 55"});
    BOOST_TEST(erased.exit == 0, erased.output);
    BOOST_TEST(has(erased.output, "members: 1"), erased.output);
    BOOST_TEST(has(erased.output, "receipts whose member was removed           1"), erased.output);
    for (const char* table : {"signups", "otp", "sms", "members", "consents"}) {
        BOOST_TEST(queryDatabase(db, std::string("SELECT count(*) FROM ") + table) == "0\n", table);
    }
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM receipts WHERE receipt_id = 'erase-1'") ==
               "1\n");  // the sale stays, without who made it
    // The erasure goes to the CRM (queued with the erasure itself), with the member
    // and the number; once the CRM has it, the queued row forgets them.
    BOOST_REQUIRE(crm.waitForErasures(1, 10s));
    const std::string sent = crm.erasures().front();
    BOOST_TEST(has(sent, "\"member_id\":\"M7\""), sent);
    BOOST_TEST(has(sent, "\"phone\":\"+46703334455\""), sent);
    BOOST_TEST(has(sent, "\"erasure_id\":\"SE-0042/erasure/"), sent);
    // Not in the file, its free pages or the write-ahead log, in any format.
    BOOST_REQUIRE(eventually([&] { return !has(readBytes(db) + readBytes(db + "-wal"), digits); }));
    const std::string bytes = readBytes(db) + readBytes(db + "-wal");
    BOOST_TEST(!has(bytes, "0703334455"));
    BOOST_TEST(!has(bytes, "070-333 44 55"));
    BOOST_TEST(!has(bytes, "card-tok-7"));
    BOOST_TEST(!has(lojald.process->output(), digits));  // nor in the log
    const Ctl noOne = lojalctl(lojald.dir, lojald.config, {"erase", "--phone", "12"});
    BOOST_TEST(noOne.exit == 1, noOne.output);
}

BOOST_AUTO_TEST_CASE(a_backup_under_load_holds_every_acknowledged_receipt_and_restores) {
    TestCrm crm;
    crm.failNext(1 << 30, 503);  // everything stays queued: the backup must carry it
    TempDir dir;
    const int port = freePort();
    const std::string config =
        writeTestConfig(dir, port, crmConfig(crm).substr(0, crmConfig(crm).find("[alerts]")));
    auto lojald =
        std::make_unique<LojaldProcess>(std::vector<std::string>{"--config", config}, dir.path());
    BOOST_REQUIRE(lojald->waitUntilReady());
    std::atomic<bool> stop{false};
    std::atomic<int> acknowledged{0};
    std::thread load([&] {
        for (int i = 0; !stop; ++i) {
            const auto answer = httpRequest(port, "POST", "/v1/receipts", kPosToken,
                                            exampleReceiptWithId("load-" + std::to_string(i)));
            if (answer.status == 202) acknowledged = i + 1;
        }
    });
    BOOST_REQUIRE(eventually([&] { return acknowledged >= 50; }));
    const int before = acknowledged;  // receipts 0 .. before-1 were on disk when it began
    const Ctl backup = lojalctl(dir, config, {"backup", dir.file("backup.db"), "--json"});
    stop = true;
    load.join();
    const auto report = json(backup);
    BOOST_TEST(report->getValue<std::string>("integrity") == "ok");
    struct stat info {};
    BOOST_REQUIRE(::stat(dir.file("backup.db").c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 0777) == 0600u);
    BOOST_TEST(queryDatabase(dir.file("backup.db"), "PRAGMA integrity_check") == "ok\n");
    const int inBackup = std::stoi(queryDatabase(
        dir.file("backup.db"), "SELECT count(*) FROM receipts WHERE receipt_id LIKE 'load-%'"));
    BOOST_TEST(inBackup >= before);
    for (int i = 0; i < before; ++i) {
        BOOST_REQUIRE_MESSAGE(
            queryDatabase(dir.file("backup.db"),
                          "SELECT count(*) FROM receipts WHERE receipt_id = 'load-" +
                              std::to_string(i) + "'") == "1\n",
            "receipt load-" << i << " acknowledged before the backup is missing");
    }
    BOOST_TEST(lojalctl(dir, config, {"backup", dir.file("backup.db")}).exit == 1);  // exists

    // Restore: refused while lojald runs; then stop, restore, start.
    const Ctl running = lojalctl(dir, config, {"restore", dir.file("backup.db")});
    BOOST_TEST(running.exit == 1);
    BOOST_TEST(has(running.output, "stop it first"), running.output);
    lojald->signal(SIGTERM);
    BOOST_REQUIRE(lojald->waitForExit(15s) == 0);
    const Ctl restored = lojalctl(dir, config, {"restore", dir.file("backup.db")});
    BOOST_TEST(restored.exit == 0, restored.output);
    lojald =
        std::make_unique<LojaldProcess>(std::vector<std::string>{"--config", config}, dir.path());
    BOOST_REQUIRE(lojald->waitUntilReady());
    BOOST_TEST(std::stoi(queryDatabase(dir.file("lojal.db"),
                                       "SELECT count(*) FROM receipts WHERE receipt_id LIKE "
                                       "'load-%'")) == inBackup);
    const auto queue = json(lojalctl(dir, config, {"status", "--json"}));
    BOOST_TEST(queue->getObject("queues")->getObject("receipt")->getValue<int>("backlog") ==
               inBackup);
}
