#include "store/Database.h"

#include <Poco/File.h>
#include <Poco/Path.h>

#include <cerrno>
#include <cstring>

#include "core/PosixFiles.h"
#include "store/Migrations.h"

namespace lojal {

// ---- Statement -------------------------------------------------------------

StatementCache::~StatementCache() {
    clear();
}

void StatementCache::clear() {
    for (auto& [sql, stmt] : idle_) sqlite3_finalize(stmt);
    idle_.clear();
}

sqlite3_stmt* StatementCache::take(const std::string& sql) {
    const auto found = idle_.find(sql);
    if (found == idle_.end()) return nullptr;
    sqlite3_stmt* stmt = found->second;
    idle_.erase(found);
    return stmt;
}

void StatementCache::give(const std::string& sql, sqlite3_stmt* stmt) {
    // Bounded: SQL built per call (table names in erasure) must not grow it forever.
    if (idle_.size() >= 128 || idle_.count(sql)) {
        sqlite3_finalize(stmt);
        return;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    idle_.emplace(sql, stmt);
}

Statement::Statement(sqlite3* db, std::string_view sql, StatementCache* cache)
    : db_(db), cache_(cache) {
    if (cache_) {
        sql_ = sql;
        stmt_ = cache_->take(sql_);
        if (stmt_) return;
    }
    if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                           cache_ ? SQLITE_PREPARE_PERSISTENT : 0, &stmt_, nullptr) != SQLITE_OK) {
        error_ = sqlite3_errmsg(db);
        sqlite3_finalize(stmt_);
        stmt_ = nullptr;
    }
}

Statement::~Statement() {
    if (cache_ && stmt_)
        cache_->give(sql_, stmt_);
    else
        sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, int64_t value) {
    if (stmt_ && sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) error_ = sqlite3_errmsg(db_);
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    if (stmt_ && sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                                   SQLITE_TRANSIENT) != SQLITE_OK) {
        error_ = sqlite3_errmsg(db_);
    }
    return *this;
}

Statement& Statement::bindBlob(int index, std::string_view bytes) {
    if (stmt_ && sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                                   SQLITE_TRANSIENT) != SQLITE_OK) {
        error_ = sqlite3_errmsg(db_);
    }
    return *this;
}

bool Statement::step() {
    if (!stmt_ || !error_.empty()) return false;
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) error_ = sqlite3_errmsg(db_);
    return false;
}

int64_t Statement::columnInt(int index) const {
    return sqlite3_column_int64(stmt_, index);
}

std::string Statement::columnText(int index) const {
    const auto* text = sqlite3_column_text(stmt_, index);
    return text ? std::string(reinterpret_cast<const char*>(text),
                              static_cast<size_t>(sqlite3_column_bytes(stmt_, index)))
                : std::string();
}

Status Statement::execute() {
    step();
    if (!error_.empty()) return Error{ErrorCode::io, error_};
    return okStatus();
}

// ---- Transaction -----------------------------------------------------------

int Transaction::changes() const {
    return sqlite3_changes(db_);
}

Status Transaction::exec(std::string_view sql) {
    char* message = nullptr;
    const std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string reason = message ? message : sqlite3_errmsg(db_);
        sqlite3_free(message);
        return Error{ErrorCode::io, reason};
    }
    return okStatus();
}

Status Transaction::run(std::string_view sql) {
    return prepare(sql).execute();
}

// ---- Database --------------------------------------------------------------

int latestSchemaVersion() {
    return migrations().back().version;
}

namespace {

Error fail(const std::string& path, const std::string& what) {
    return Error{ErrorCode::io, "database " + path + ": " + what};
}

// Creating the file ourselves is the only portable way to get mode 0600 whatever
// the umask; SQLite then gives the -wal and -shm files the same mode.
Status createFileIfMissing(const std::string& path) {
    try {
        const Poco::Path parent = Poco::Path(path).makeAbsolute().parent();
        Poco::File(parent).createDirectories();
    } catch (const Poco::Exception& e) {
        return fail(path, "cannot create its directory: " + e.displayText());
    }
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) {
        if (!S_ISREG(info.st_mode)) return fail(path, "not a regular file");
        return okStatus();
    }
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST)
        return fail(path, std::string("cannot create: ") + std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return okStatus();
}

std::string queryText(sqlite3* db, const char* sql) {
    Statement statement(db, sql);
    return statement.step() ? statement.columnText(0) : "error: " + statement.error();
}

}  // namespace

Result<std::unique_ptr<Database>> Database::open(const DatabaseConfig& config) {
    return openAtVersion(config, latestSchemaVersion());
}

Result<std::unique_ptr<Database>> Database::openAtVersion(const DatabaseConfig& config,
                                                          int targetVersion) {
    const std::string& path = config.path;
    if (auto created = createFileIfMissing(path); !created) return created.error();

    sqlite3* handle = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &handle,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    std::unique_ptr<Database> db(new Database(handle, path));
    if (rc != SQLITE_OK) return fail(path, std::string("cannot open: ") + sqlite3_errstr(rc));
    sqlite3_extended_result_codes(handle, 1);
    sqlite3_busy_timeout(handle, config.busyTimeoutMilliseconds);
    if (sqlite3_db_readonly(handle, "main") == 1) return fail(path, "file is read-only");

    // WAL lets readers proceed during a write. synchronous=FULL makes every commit
    // durable (fsync of the WAL) before COMMIT returns: a 2xx means on disk.
    const std::string mode = queryText(handle, "PRAGMA journal_mode=WAL");
    if (mode != "wal")
        return fail(path, "cannot enable WAL (" + mode + "); corrupt or not SQLite?");
    Transaction setup(handle);
    // secure_delete: an erased customer's data is overwritten, not left in free
    // pages for anyone who reads the file (GDPR erasure; tested by grepping it).
    if (auto pragmas =
            setup.exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;");
        !pragmas) {
        return fail(path, pragmas.error().message);
    }
    const std::string check = queryText(handle, "PRAGMA quick_check");
    if (check != "ok") return fail(path, "integrity check failed: " + check);

    const int version = db->schemaVersion();
    if (version > latestSchemaVersion()) {
        return fail(path, "schema version " + std::to_string(version) +
                              " is newer than this lojald knows (" +
                              std::to_string(latestSchemaVersion()) + "); refusing to downgrade");
    }
    if (auto migrated = db->migrate(targetVersion); !migrated) return migrated.error();
    // A write at every start proves the file is writable before the API says it is up.
    if (targetVersion >= 1) {
        auto probe = db->write([](Transaction& tx) {
            auto stmt = tx.prepare(
                "INSERT INTO store_meta (key, value) VALUES ('started_at', "
                "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
            stmt.step();
            if (!stmt.error().empty()) return Status(Error{ErrorCode::io, stmt.error()});
            return okStatus();
        });
        if (!probe) return fail(path, "not writable: " + probe.error().message);
    }
    return db;
}

Database::~Database() {
    std::lock_guard lock(mutex_);
    statements_.clear();
    // Closing the last connection checkpoints the WAL into the main file.
    sqlite3_close_v2(db_);
}

Status Database::migrate(int targetVersion) {
    for (const Migration& migration : migrations()) {
        if (migration.version <= schemaVersion() || migration.version > targetVersion) continue;
        auto applied = write([&](Transaction& tx) -> Status {
            if (auto done = tx.exec(migration.sql); !done) return done;
            return tx.exec("PRAGMA user_version = " + std::to_string(migration.version));
        });
        if (!applied) {
            return fail(path_, "migration " + std::to_string(migration.version) + " (" +
                                   migration.name + ") failed: " + applied.error().message);
        }
    }
    return okStatus();
}

struct Database::PendingWrite {
    const std::function<Status(Transaction&)>* work;
    Status result = okStatus();
    bool done = false;
};

Status Database::write(const std::function<Status(Transaction&)>& work) {
    PendingWrite mine{&work};
    std::unique_lock lock(queueMutex_);
    queue_.push_back(&mine);
    while (!mine.done) {
        if (committing_) {
            committed_.wait(lock);
            continue;
        }
        // Lead: commit everything queued so far, ours included.
        committing_ = true;
        std::vector<PendingWrite*> batch;
        batch.swap(queue_);
        lock.unlock();
        commitBatch(batch);
        lock.lock();
        for (PendingWrite* pending : batch) pending->done = true;
        committing_ = false;
        committed_.notify_all();
    }
    return mine.result;
}

namespace {

// SQLite rolls a whole transaction back by itself on some errors (disk full, I/O
// error); the works after that would otherwise run in autocommit mode.
Error storageFailure(sqlite3* db, const std::string& message) {
    const int code = sqlite3_errcode(db);
    return Error{code == SQLITE_FULL ? ErrorCode::noSpace : ErrorCode::io, message};
}

}  // namespace

void Database::commitBatch(const std::vector<PendingWrite*>& batch) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_, &statements_);
    const auto failAll = [&](const Status& status) {
        for (PendingWrite* pending : batch) pending->result = status;
        lastWriteFailed_ = true;
    };
    if (auto begun = tx.run("BEGIN IMMEDIATE"); !begun)
        return failAll(storageFailure(db_, begun.error().message));
    for (PendingWrite* pending : batch) {
        if (auto saved = tx.run("SAVEPOINT work"); !saved) {
            return failAll(storageFailure(db_, saved.error().message));
        }
        pending->result = (*pending->work)(tx);
        if (sqlite3_get_autocommit(db_)) {  // SQLite abandoned the transaction
            const std::string reason = pending->result ? std::string("transaction rolled back")
                                                       : pending->result.error().message;
            return failAll(storageFailure(db_, reason));
        }
        if (!pending->result) {
            if (sqlite3_errcode(db_) == SQLITE_FULL)
                pending->result = Error{ErrorCode::noSpace, pending->result.error().message};
            (void)tx.run("ROLLBACK TO work");
        }
        (void)tx.run("RELEASE work");
    }
    if (auto committed = tx.run("COMMIT"); !committed) {
        const Error failure = storageFailure(db_, committed.error().message);
        (void)tx.run("ROLLBACK");
        return failAll(failure);
    }
    lastWriteFailed_ = false;
    ++commits_;
    committedWrites_ += batch.size();
}

Status Database::read(const std::function<Status(Transaction&)>& work) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_, &statements_);
    return work(tx);
}

Status Database::checkpointTruncate() {
    std::lock_guard lock(mutex_);
    Statement statement(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (!statement.step()) return Error{ErrorCode::io, "checkpoint: " + statement.error()};
    if (statement.columnInt(0) != 0)
        return Error{ErrorCode::busy, "checkpoint: another reader holds an old snapshot"};
    return okStatus();
}

int Database::schemaVersion() {
    std::lock_guard lock(mutex_);
    Statement statement(db_, "PRAGMA user_version");
    return statement.step() ? static_cast<int>(statement.columnInt(0)) : -1;
}

DatabaseHealth Database::health() {
    std::lock_guard lock(mutex_);
    DatabaseHealth health;
    Statement statement(db_, "PRAGMA user_version");
    health.ok = statement.step();
    health.schemaVersion = health.ok ? static_cast<int>(statement.columnInt(0)) : 0;
    health.detail = health.ok ? "ok" : statement.error();
    if (health.ok && lastWriteFailed_) {
        health.ok = false;
        health.detail = "the last write failed (disk full or read-only?)";
    }
    return health;
}

int64_t Database::sizeOnDisk() const {
    int64_t total = 0;
    for (const std::string& file : {path_, path_ + "-wal"}) {
        struct stat info {};
        if (::stat(file.c_str(), &info) == 0) total += info.st_size;
    }
    return total;
}

}  // namespace lojal
