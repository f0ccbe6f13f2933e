#pragma once
// Where the running program lives, for files that ship beside it (lojal-decode,
// the kiosk page): the build tree and the packages keep them relative to it.

#include <string>

namespace lojal {

// The directory of the running executable with a trailing separator ('/', or
// '\\' on Windows), "" when it cannot be read.
std::string executableDirectory();

// Windows: where lojald keeps its configuration and database,
// %ProgramData%\Lojal\ with a trailing '\\' (created if missing), from the known
// folder, never the environment (a service under wine sees %ProgramData% as
// C:\users\Public). "" elsewhere, or when it cannot be made.
std::string windowsDataDirectory();

// The live configuration at configPath, copied from templatePath when there is
// none yet: the installer ships only the template, so an upgrade never
// overwrites a store's edits. True when configPath exists afterwards.
bool installConfigIfMissing(const std::string& configPath, const std::string& templatePath);

}  // namespace lojal
