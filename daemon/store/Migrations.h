#pragma once
// Numbered schema migrations. Version N's SQL turns a version N-1 database into
// version N; PRAGMA user_version records where a file stands. Never edit a shipped
// migration: add the next number.

#include <vector>

namespace lojal {

struct Migration {
    int version;
    const char* name;
    const char* sql;
};

const std::vector<Migration>& migrations();

}  // namespace lojal
