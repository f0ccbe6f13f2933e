#pragma once
// The one owner of the SQLite database (ARCHITECTURE-INTENT 2). It opens the file,
// applies pragmas and migrations, and hands out write transactions. Nothing else
// opens the file or builds SQL from request data.

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/Config.h"
#include "core/Result.h"

namespace lojal {

// A prepared statement bound to the connection that made it; values are bound by
// position, never spliced into SQL text.
// Prepared statements are kept per SQL text and reused (a receipt write runs the
// same five statements every time; parsing them again cost more than running them).
class StatementCache {
  public:
    ~StatementCache();
    sqlite3_stmt* take(const std::string& sql);             // nullptr when none is cached
    void give(const std::string& sql, sqlite3_stmt* stmt);  // reset, or finalized if full
    void clear();

  private:
    std::unordered_map<std::string, sqlite3_stmt*> idle_;
};

class Statement {
  public:
    Statement(sqlite3* db, std::string_view sql, StatementCache* cache = nullptr);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    bool ok() const { return stmt_ != nullptr; }
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, std::string_view value);
    Statement& bindBlob(int index, std::string_view bytes);
    // True while there is a row to read; errors end the walk and show in error().
    bool step();
    // For statements that return no rows: one step, its error as a Status.
    Status execute();
    int64_t columnInt(int index) const;
    std::string columnText(int index) const;
    const std::string& error() const { return error_; }

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
    std::string error_;
    StatementCache* cache_;
    std::string sql_;  // the cache key, when cached
};

class Transaction {
  public:
    explicit Transaction(sqlite3* db, StatementCache* cache = nullptr) : db_(db), cache_(cache) {}
    Statement prepare(std::string_view sql) { return Statement(db_, sql, cache_); }
    // Any SQL text, several statements too (migrations).
    Status exec(std::string_view sql);
    // One statement through the cache (BEGIN, SAVEPOINT, COMMIT on every write).
    Status run(std::string_view sql);
    // Rows the last INSERT, UPDATE or DELETE on this connection changed.
    int changes() const;

  private:
    sqlite3* db_;
    StatementCache* cache_;
};

struct DatabaseHealth {
    bool ok = false;
    std::string detail;
    int schemaVersion = 0;
};

class Database {
  public:
    // Opens (creating with mode 0600 if needed) and migrates to the newest schema.
    // Fails on a corrupt, unwritable or newer-than-known database file.
    static Result<std::unique_ptr<Database>> open(const DatabaseConfig& config);
    // For migration tests: migrate only up to targetVersion.
    static Result<std::unique_ptr<Database>> openAtVersion(const DatabaseConfig& config,
                                                           int targetVersion);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Runs work inside BEGIN IMMEDIATE ... COMMIT: the write lock is taken up front so
    // the busy timeout applies, rather than failing later on lock upgrade. A failed
    // Status from work rolls back that work only.
    //
    // Group commit: writers that arrive while a commit is in progress queue up, and
    // the next of them commits the whole queue in one transaction (each work in its
    // own SAVEPOINT), so N concurrent requests share one fsync instead of paying N.
    // Every caller returns only after its work is durable. work must not call write().
    Status write(const std::function<Status(Transaction&)>& work);
    // Runs work on the connection outside a write transaction (plain reads).
    Status read(const std::function<Status(Transaction&)>& work);

    DatabaseHealth health();
    // Copies the write-ahead log into the file and empties it: after an erasure,
    // the old pages (with the erased data) must not linger in the WAL. busy when
    // another process holds a read snapshot.
    Status checkpointTruncate();
    // Transactions committed by write(), and the works they carried (group commit).
    uint64_t commits() const { return commits_.load(); }
    uint64_t committedWrites() const { return committedWrites_.load(); }
    int schemaVersion();
    // Bytes on disk: the database file plus its write-ahead log.
    int64_t sizeOnDisk() const;
    const std::string& path() const { return path_; }

  private:
    Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
    Status migrate(int targetVersion);

    struct PendingWrite;
    void commitBatch(const std::vector<PendingWrite*>& batch);

    std::mutex mutex_;  // the connection, and statements_
    StatementCache statements_;
    std::mutex queueMutex_;
    std::condition_variable committed_;
    std::vector<PendingWrite*> queue_;
    bool committing_ = false;
    std::atomic<uint64_t> commits_{0};
    std::atomic<uint64_t> committedWrites_{0};
    bool lastWriteFailed_ = false;  // guarded by mutex_; shown by health()
    sqlite3* db_;
    std::string path_;
};

// The newest schema version this build knows.
int latestSchemaVersion();

}  // namespace lojal
