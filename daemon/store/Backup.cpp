#include "store/Backup.h"

#include <sqlite3.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include "core/PosixFiles.h"

namespace lojal {

namespace {

struct Handle {
    sqlite3* db = nullptr;
    ~Handle() { sqlite3_close_v2(db); }
};

Status openFile(Handle& handle, const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &handle.db, flags | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
        return Error{ErrorCode::io,
                     path + ": " + (handle.db ? sqlite3_errmsg(handle.db) : "cannot open")};
    }
    sqlite3_busy_timeout(handle.db, 5000);
    return okStatus();
}

int64_t queryInt(sqlite3* db, const char* sql) {
    sqlite3_stmt* statement = nullptr;
    int64_t value = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
        value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return value;
}

// The whole database in one step: one read snapshot of the source.
Status copy(sqlite3* from, sqlite3* to, const std::string& what) {
    sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
    if (!backup) return Error{ErrorCode::io, what + ": " + sqlite3_errmsg(to)};
    const int stepped = sqlite3_backup_step(backup, -1);
    const int finished = sqlite3_backup_finish(backup);
    if (stepped != SQLITE_DONE || finished != SQLITE_OK)
        return Error{stepped == SQLITE_FULL ? ErrorCode::noSpace : ErrorCode::io,
                     what + ": " + sqlite3_errstr(stepped != SQLITE_DONE ? stepped : finished)};
    return okStatus();
}

BackupReport describe(sqlite3* db, const std::string& path, int64_t startedMs) {
    BackupReport report;
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) report.bytes = info.st_size;
    report.schemaVersion = static_cast<int>(queryInt(db, "PRAGMA user_version"));
    report.receipts = queryInt(db, "SELECT count(*) FROM receipts");
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
    report.milliseconds = now - startedMs;
    return report;
}

int64_t steadyMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

Result<std::string> integrityCheck(const std::string& path) {
    Handle handle;
    if (auto opened = openFile(handle, path, SQLITE_OPEN_READONLY); !opened) return opened.error();
    sqlite3_stmt* statement = nullptr;
    std::string result = "no answer";
    if (sqlite3_prepare_v2(handle.db, "PRAGMA integrity_check", -1, &statement, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
        result = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    else
        result = sqlite3_errmsg(handle.db);
    sqlite3_finalize(statement);
    return result;
}

Result<BackupReport> backupDatabase(const std::string& source, const std::string& destination) {
    const int64_t started = steadyMs();
    // Created here, 0600, exclusively: SQLite would make it with the umask.
    const int fd = ::open(destination.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error{errno == EEXIST ? ErrorCode::arg : ErrorCode::io,
                     destination + ": " + std::strerror(errno)};
    ::close(fd);
    const auto discard = [&](Error error) {
        ::unlink(destination.c_str());
        return error;
    };
    {
        Handle from;
        // Read-write without create: a WAL database's reader needs its -shm, and
        // a missing source must not be created empty.
        if (auto opened = openFile(from, source, SQLITE_OPEN_READWRITE); !opened)
            return discard(opened.error());
        if (queryInt(from.db, "SELECT count(*) FROM sqlite_schema") == 0)
            return discard(Error{ErrorCode::data, source + ": not a Lojal database (empty)"});
        Handle to;
        if (auto opened = openFile(to, destination, SQLITE_OPEN_READWRITE); !opened)
            return discard(opened.error());
        if (auto copied = copy(from.db, to.db, destination); !copied)
            return discard(copied.error());
        // A single file, not WAL: the copy travels alone.
        sqlite3_exec(to.db, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
    }
    auto check = integrityCheck(destination);
    if (!check) return discard(check.error());
    if (*check != "ok")
        return discard(Error{ErrorCode::data, destination + ": integrity check: " + *check});
    Handle copyHandle;
    if (auto opened = openFile(copyHandle, destination, SQLITE_OPEN_READONLY); !opened)
        return opened.error();
    return describe(copyHandle.db, destination, started);
}

Result<BackupReport> restoreDatabase(const std::string& backup, const std::string& target) {
    const int64_t started = steadyMs();
    auto check = integrityCheck(backup);
    if (!check) return check.error();
    if (*check != "ok") return Error{ErrorCode::data, backup + ": integrity check: " + *check};
    Handle from;
    if (auto opened = openFile(from, backup, SQLITE_OPEN_READONLY); !opened) return opened.error();
    Handle to;
    if (auto opened = openFile(to, target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE); !opened)
        return opened.error();
    if (auto copied = copy(from.db, to.db, target); !copied) return copied.error();
    sqlite3_exec(to.db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    return describe(to.db, target, started);
}

}  // namespace lojal
