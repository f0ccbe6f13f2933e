#pragma once
// What lojald checks before it starts, in one place for `lojald --check-config`
// and `lojalctl check-config`: the file's keys, every device's driver options,
// and the SMS templates against sms.max_segments.

#include <string>

#include "config/Config.h"
#include "core/Result.h"
#include "sms/Templates.h"

namespace lojal {

// The templates, each measured with the longest values its placeholders get: a
// template that could overflow sms.max_segments is refused now rather than
// split later.
Result<SmsTemplates> loadTemplatesFor(const Config& config);

// The whole check of a configuration file (without opening ports or the database).
Result<Config> checkConfigFile(const std::string& path);

}  // namespace lojal
