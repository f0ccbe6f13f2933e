#define BOOST_TEST_MODULE database
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "LojaldProcess.h"
#include "store/Database.h"

using namespace lojal;
using lojal::test::queryDatabase;
using lojal::test::TempDir;

namespace {

DatabaseConfig configIn(const TempDir& dir, const std::string& name = "lojal.db") {
    DatabaseConfig config;
    config.path = dir.file(name);
    config.busyTimeoutMilliseconds = 50;
    return config;
}

void rawExec(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
}

const char* kSchemaQuery =
    "SELECT type || ' ' || name || ': ' || sql FROM sqlite_master WHERE name NOT LIKE "
    "'sqlite_%' ORDER BY name";

std::string pragma(Database& db, const std::string& name) {
    std::string value;
    auto status = db.read([&](Transaction& tx) {
        auto stmt = tx.prepare("PRAGMA " + name);
        if (stmt.step()) value = stmt.columnText(0);
        return okStatus();
    });
    BOOST_REQUIRE(status.ok());
    return value;
}

}  // namespace

BOOST_AUTO_TEST_CASE(new_file_is_private_wal_full_sync_and_latest_schema) {
    TempDir dir;
    auto db = Database::open(configIn(dir, "sub/dir/lojal.db"));
    BOOST_REQUIRE_MESSAGE(db.ok(), (db.ok() ? std::string() : db.error().message));
    struct stat info {};
    BOOST_REQUIRE(stat(dir.file("sub/dir/lojal.db").c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 0777) == 0600u);
    BOOST_TEST((*db)->schemaVersion() == latestSchemaVersion());
    BOOST_TEST(pragma(**db, "journal_mode") == "wal");
    BOOST_TEST(pragma(**db, "synchronous") == "2");  // FULL
    BOOST_TEST((*db)->health().ok);
    BOOST_TEST((*db)->sizeOnDisk() > 0);
}

BOOST_AUTO_TEST_CASE(every_earlier_version_migrates_to_the_same_schema) {
    TempDir fresh;
    const auto freshPath = configIn(fresh).path;
    { BOOST_REQUIRE(Database::open(configIn(fresh)).ok()); }
    const std::string expected = queryDatabase(freshPath, kSchemaQuery);
    BOOST_REQUIRE(!expected.empty());

    for (int version = 0; version < latestSchemaVersion(); ++version) {
        BOOST_TEST_CONTEXT("from version " << version) {
            TempDir dir;
            {
                auto old = Database::openAtVersion(configIn(dir), version);
                BOOST_REQUIRE(old.ok());
                BOOST_TEST((*old)->schemaVersion() == version);
            }
            auto upgraded = Database::open(configIn(dir));
            BOOST_REQUIRE_MESSAGE(upgraded.ok(),
                                  (upgraded.ok() ? std::string() : upgraded.error().message));
            BOOST_TEST((*upgraded)->schemaVersion() == latestSchemaVersion());
            upgraded->reset();
            BOOST_TEST(queryDatabase(configIn(dir).path, kSchemaQuery) == expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(data_survives_a_migration) {
    TempDir dir;
    { BOOST_REQUIRE(Database::openAtVersion(configIn(dir), 1).ok()); }
    rawExec(configIn(dir).path, "INSERT INTO store_meta VALUES ('probe', 'kept')");
    { BOOST_REQUIRE(Database::open(configIn(dir)).ok()); }
    BOOST_TEST(queryDatabase(configIn(dir).path,
                             "SELECT value FROM store_meta WHERE key='probe'") == "kept\n");
}

BOOST_AUTO_TEST_CASE(newer_schema_is_refused) {
    TempDir dir;
    { BOOST_REQUIRE(Database::open(configIn(dir)).ok()); }
    rawExec(configIn(dir).path,
            "PRAGMA user_version = " + std::to_string(latestSchemaVersion() + 1));
    auto db = Database::open(configIn(dir));
    BOOST_REQUIRE(!db.ok());
    BOOST_TEST(db.error().message.find("newer than this lojald knows") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(corrupt_file_is_refused_with_a_clear_message) {
    TempDir dir;
    std::ofstream(configIn(dir).path) << std::string(8192, 'x');
    auto db = Database::open(configIn(dir));
    BOOST_REQUIRE(!db.ok());
    BOOST_TEST(db.error().message.find("database " + configIn(dir).path) == 0u);
    BOOST_TEST(db.error().message.find("not a database") != std::string::npos, db.error().message);
}

BOOST_AUTO_TEST_CASE(damaged_page_fails_the_integrity_check) {
    TempDir dir;
    {
        auto db = Database::open(configIn(dir));
        BOOST_REQUIRE(db.ok());
        BOOST_REQUIRE(
            (*db)
                ->write([](Transaction& tx) {
                    return tx.exec(
                        "CREATE TABLE filler (x TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION "
                        "ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO filler SELECT "
                        "printf('%0500d', i) FROM n;");
                })
                .ok());
    }
    {  // overwrite the middle of the file (past the header) with noise
        std::fstream file(configIn(dir).path, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(3 * 4096 + 100);
        file << std::string(4096, '\x5a');
    }
    auto db = Database::open(configIn(dir));
    BOOST_REQUIRE(!db.ok());
    BOOST_TEST(db.error().message.find("database ") == 0u, db.error().message);
}

BOOST_AUTO_TEST_CASE(unusable_paths_are_refused) {
    TempDir dir;
    dir.write("plainfile", "x");
    auto underFile = Database::open(configIn(dir, "plainfile/lojal.db"));
    BOOST_REQUIRE(!underFile.ok());
    BOOST_TEST(underFile.error().message.find("cannot create") != std::string::npos,
               underFile.error().message);

    auto directory = Database::open(configIn(dir, ""));
    BOOST_REQUIRE(!directory.ok());
    BOOST_TEST(directory.error().message.find("not a regular file") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(read_only_file_is_refused) {
    if (geteuid() == 0) {
        BOOST_TEST_MESSAGE("skipped: root ignores file permissions");
        return;
    }
    TempDir dir;
    { BOOST_REQUIRE(Database::open(configIn(dir)).ok()); }
    chmod(configIn(dir).path.c_str(), 0400);
    auto db = Database::open(configIn(dir));
    BOOST_REQUIRE(!db.ok());
    BOOST_TEST(db.error().message.find("read-only") != std::string::npos, db.error().message);
}

BOOST_AUTO_TEST_CASE(failed_work_rolls_back) {
    TempDir dir;
    auto db = Database::open(configIn(dir));
    BOOST_REQUIRE(db.ok());
    auto status = (*db)->write([](Transaction& tx) -> Status {
        BOOST_REQUIRE(tx.exec("INSERT INTO store_meta VALUES ('half', 'done')").ok());
        return Error{ErrorCode::data, "changed my mind"};
    });
    BOOST_REQUIRE(!status.ok());
    BOOST_TEST(status.error().message == "changed my mind");
    BOOST_TEST(queryDatabase(configIn(dir).path,
                             "SELECT count(*) FROM store_meta WHERE key='half'") == "0\n");
}

BOOST_AUTO_TEST_CASE(write_lock_is_taken_up_front_and_waits_for_the_busy_timeout) {
    TempDir dir;
    auto db = Database::open(configIn(dir));
    BOOST_REQUIRE(db.ok());
    sqlite3* other = nullptr;
    sqlite3_open(configIn(dir).path.c_str(), &other);
    BOOST_REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    bool workRan = false;
    auto status = (*db)->write([&](Transaction&) {
        workRan = true;
        return okStatus();
    });
    // BEGIN IMMEDIATE fails before any work runs: nothing is done half.
    BOOST_TEST(!status.ok());
    BOOST_TEST(!workRan);
    BOOST_TEST(status.error().message.find("locked") != std::string::npos, status.error().message);
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    BOOST_TEST((*db)->write([](Transaction&) { return okStatus(); }).ok());
}

BOOST_AUTO_TEST_CASE(statements_bind_values_not_sql) {
    TempDir dir;
    auto db = Database::open(configIn(dir));
    BOOST_REQUIRE(db.ok());
    const std::string hostile = "x'); DROP TABLE store_meta; --";
    BOOST_REQUIRE((*db)
                      ->write([&](Transaction& tx) -> Status {
                          auto stmt =
                              tx.prepare("INSERT INTO store_meta (key, value) VALUES (?1, ?2)");
                          stmt.bind(1, hostile).bind(2, std::string_view("v"));
                          stmt.step();
                          if (!stmt.error().empty()) return Error{ErrorCode::io, stmt.error()};
                          return okStatus();
                      })
                      .ok());
    // The table is still there, holding the hostile text as a plain key.
    BOOST_TEST(queryDatabase(configIn(dir).path,
                             "SELECT value FROM store_meta WHERE key = 'x''); DROP TABLE "
                             "store_meta; --'") == "v\n");
}

BOOST_AUTO_TEST_CASE(concurrent_writers_share_commits_and_lose_nothing) {
    TempDir dir;
    auto db = Database::open(configIn(dir));
    BOOST_REQUIRE(db.ok());
    const uint64_t commitsBefore = (*db)->commits();
    constexpr int kThreads = 8;
    constexpr int kWrites = 100;
    std::vector<std::thread> writers;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
        writers.emplace_back([&, t] {
            for (int i = 0; i < kWrites; ++i) {
                // Built in steps: GCC 12 misreports "literal" + std::string (-Wrestrict).
                std::string key = std::to_string(t);
                key.insert(0, 1, 'w');
                key += '-';
                key += std::to_string(i);
                auto status = (*db)->write([&](Transaction& tx) -> Status {
                    auto stmt = tx.prepare("INSERT INTO store_meta (key, value) VALUES (?1, 'x')");
                    stmt.bind(1, key);
                    stmt.step();
                    if (!stmt.error().empty()) return Error{ErrorCode::io, stmt.error()};
                    return okStatus();
                });
                if (!status) ++failures;
            }
        });
    }
    for (auto& writer : writers) writer.join();
    BOOST_TEST(failures.load() == 0);
    BOOST_TEST(
        queryDatabase(configIn(dir).path, "SELECT count(*) FROM store_meta WHERE key LIKE 'w%'") ==
        std::to_string(kThreads * kWrites) + "\n");
    const uint64_t commits = (*db)->commits() - commitsBefore;
    BOOST_TEST_MESSAGE(kThreads * kWrites << " writes in " << commits << " commits");
    BOOST_TEST(commits < static_cast<uint64_t>(kThreads * kWrites));  // some were grouped
}

BOOST_AUTO_TEST_CASE(a_failing_work_in_a_group_does_not_undo_the_others) {
    TempDir dir;
    auto db = Database::open(configIn(dir));
    BOOST_REQUIRE(db.ok());
    std::vector<std::thread> writers;
    std::atomic<int> ok{0};
    for (int t = 0; t < 16; ++t) {
        writers.emplace_back([&, t] {
            auto status = (*db)->write([&](Transaction& tx) -> Status {
                auto stmt = tx.prepare("INSERT INTO store_meta (key, value) VALUES (?1, 'x')");
                std::string key = std::to_string(t);
                key.insert(0, 1, 'g');
                stmt.bind(1, key);
                stmt.step();
                if (t % 2 == 1) return Error{ErrorCode::data, "odd ones fail"};
                return okStatus();
            });
            if (status) ++ok;
        });
    }
    for (auto& writer : writers) writer.join();
    BOOST_TEST(ok.load() == 8);
    BOOST_TEST(queryDatabase(configIn(dir).path,
                             "SELECT count(*) FROM store_meta WHERE key LIKE 'g%'") == "8\n");
}
