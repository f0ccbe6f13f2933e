#include "config/Config.h"

namespace lojal {

// Kept in step with packaging/config/lojald.ini, which documents every key.
const char* const kEmbeddedDefaultConfig = R"ini(
[server]
listen = 127.0.0.1:8470

[store]
id = dev-store
country = SE

[database]
path = var/lojal.db

[log]
target = console
level = information

[auth]
dev_tokens_file = var/dev-tokens

[sms]
gateway = log

[crm]
sync = off
)ini";

}  // namespace lojal
