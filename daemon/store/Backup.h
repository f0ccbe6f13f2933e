#pragma once
// Backup and restore of the database file for `lojalctl backup|restore`, with
// SQLite's online backup API: a backup is a consistent snapshot taken while
// lojald keeps writing (WAL: it reads one snapshot, writers are not held up);
// a restore writes through SQLite too, so a stale write-ahead log beside the
// target cannot be replayed over it.

#include <cstdint>
#include <string>

#include "core/Result.h"

namespace lojal {

struct BackupReport {
    int64_t bytes = 0;
    int schemaVersion = 0;
    int64_t receipts = 0;
    int64_t milliseconds = 0;
};

// Copies source to destination (created 0600; refused if it exists), then
// runs PRAGMA integrity_check on the copy.
Result<BackupReport> backupDatabase(const std::string& source, const std::string& destination);

// "ok", or the first problem PRAGMA integrity_check reports.
Result<std::string> integrityCheck(const std::string& path);

// Replaces target's content with backup's (checked first). lojald must not be running.
Result<BackupReport> restoreDatabase(const std::string& backup, const std::string& target);

}  // namespace lojal
