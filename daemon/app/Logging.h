#pragma once

#include <Poco/Message.h>

#include <string>

#include "config/Config.h"
#include "core/Result.h"

namespace lojal {

// Sends every logger to the configured console, journal, syslog or file channel.
Status configureLogging(const LogConfig& config);

// One log line (pure): text `TIME LEVEL LOGGER: MESSAGE`, or one JSON object
// {time, level, logger, message, pid, thread}; with priorityPrefix, led by the
// sd-daemon `<N>` syslog priority so the journal files it at its level.
std::string formatLogLine(const Poco::Message& message, LogFormat format, bool priorityPrefix);

// True when systemd connected stderr to the journal ($JOURNAL_STREAM names it).
bool stderrIsJournal();

}  // namespace lojal
