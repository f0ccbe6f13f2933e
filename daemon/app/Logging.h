#pragma once

#include "config/Config.h"
#include "core/Result.h"

namespace lojal {

// Sends every logger to the configured console, syslog or file channel.
Status configureLogging(const LogConfig& config);

}  // namespace lojal
