#include "config/Config.h"

namespace lojal {

// Kept in step with packaging/config/lojald.ini, which documents every key.
const char* const kEmbeddedDefaultConfig = R"ini(
[server]
listen = 127.0.0.1:8470

[store]
id = dev-store
name = Lojal Dev
country = SE

[database]
path = var/lojal.db

[log]
target = console
level = information

[auth]
dev_tokens_file = var/dev-tokens
tokens_file = var/tokens

[sms]
gateway = log
; The main log masks codes and links; the whole texts (to try a link) go here.
log_file = var/sms.log

[signup]
; Development only: a real store sets its own secret, shared with the landing page.
base_url = https://join.example.com
secret = dev-only-signup-secret-0123456789abcdef

[crm]
sync = off
)ini";

}  // namespace lojal
