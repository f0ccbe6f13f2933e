#pragma once
// The typed configuration. Only config/ reads raw keys (ARCHITECTURE-INTENT 7):
// everybody else receives these structs, already validated.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <Poco/JSON/Object.h>

#include "DefaultCaFile.h"
#include "barcode/Scan.h"
#include "core/Result.h"
#include "core/Version.h"
#include "serial/SerialPort.h"

namespace lojal {

// monitor: Prometheus and the like, /metrics (and the token-free /v1/health) only.
enum class Role { pos, kiosk, admin, monitor };
const char* toString(Role role);
Result<Role> parseRole(std::string_view text);
constexpr Role kAllRoles[] = {Role::pos, Role::kiosk, Role::admin, Role::monitor};
// The roles of the API's clients: what "every role" means for an endpoint.
constexpr Role kClientRoles[] = {Role::pos, Role::kiosk, Role::admin};

struct ListenAddress {
    std::string host;
    uint16_t port = 0;
    std::string toString() const;
};

struct ServerConfig {
    std::vector<ListenAddress> listen{{"127.0.0.1", 8470}};
    bool allowRemote = false;  // a non-loopback listen address must be opted into
    // Names clients reach lojald by (Host header), beside its listen addresses.
    std::vector<std::string> hostNames;
    // HTTPS: the whole API and WebSockets on these addresses too (TLS 1.2+), with
    // this certificate chain and key (PEM). Empty: no HTTPS listener.
    std::vector<ListenAddress> tlsListen;
    std::string tlsCertFile;
    std::string tlsKeyFile;
    int threads = 32;     // requests served at once; waiting connections hold none
    int maxQueued = 256;  // requests whose head has come, waiting for a thread
    int keepAliveTimeoutSeconds = 5;
    int maxKeepAliveRequests = 10000;
    int requestTimeoutSeconds = 10;  // a whole request, head and body, once it has begun
    int headerTimeoutSeconds = 10;   // a whole request head, from its first byte
    int maxConnectionsPerPeer = 64;  // open connections (WebSockets too) from one address
    int maxStreamsPerToken = 16;     // /v1/events WebSockets open with one token
    int shutdownGraceMilliseconds = 4000;
    size_t bodyLimitBytes = 1024 * 1024;
};

struct StoreConfig {
    std::string id = "store-1";
    std::string name = "Lojal";  // as the customer knows the shop, in SMS texts
    std::string country = "SE";  // ISO 3166 alpha-2, the default region for phone numbers
    std::string currency;        // ISO 4217; empty in the file: the country's (SE: SEK)
};

struct DatabaseConfig {
    std::string path = "var/lojal.db";
    int busyTimeoutMilliseconds = 5000;
};

// journal: stderr lines with sd-daemon <N> priority prefixes (console does the
// same by itself when systemd connected stderr to the journal).
// eventlog: the Windows event log (Application, source "lojald"); Windows only,
// as syslog and journal are Linux only.
enum class LogTarget { console, syslog, file, journal, eventlog };
enum class LogFormat { text, json };

// The log levels lojald takes (log.level, PUT /v1/log-level), most severe first:
// Poco's priorities 1 (fatal) to 8 (trace).
const std::vector<std::string>& logLevelNames();
bool isLogLevelName(const std::string& name);
// A Poco priority's name; "none" for 0 (logging off).
std::string logLevelName(int priority);

struct LogConfig {
    LogTarget target = LogTarget::console;
    LogFormat format = LogFormat::text;
    std::string level = "information";
    std::string file;  // required when target is file
};

struct ApiToken {
    std::string name;
    Role role = Role::pos;
    std::string sha256Hex;  // only the hash is kept: a config dump never shows a secret
};

struct AuthConfig {
    // When set, lojald creates this file with one random token per role on first
    // start and accepts the tokens in it (development and first installs).
    std::string devTokensFile;
    // Hashed tokens written by `lojalctl tokens`, reloaded on SIGHUP or
    // POST /v1/admin/tokens/reload without a restart.
    std::string tokensFile;
    std::vector<ApiToken> tokens;
};

struct SmsConfig {
    std::string gateway = "log";  // log, kannel or http (plugins/sms/GatewayTable.cpp)
    std::string url;              // kannel: smsbox's sendsms base URL, http://127.0.0.1:13013
    std::string username;
    std::string password;  // secret: redacted in /v1/config
    std::string sender;
    std::string templatesDirectory = kDefaultTemplatesDir;
    int maxSegments = 1;
    // Base of the delivery-report URL the gateway calls back (lojald's own API as
    // the gateway reaches it); empty: no delivery reports.
    std::string dlrBaseUrl;
    // http gateway: field names and body format of the provider's send request.
    std::string httpFormat = "form";
    std::string httpToField = "to";
    std::string httpTextField = "message";
    std::string httpFromField = "from";
    std::string httpIdField = "id";
    // log gateway: a file for whole texts (mode 0600); the main log masks them.
    std::string logFile;
    std::string caFile = kDefaultCaFile;
};

struct SignupConfig {
    std::string baseUrl;  // links are {base_url}/j/{token}; empty: sign-ups are off
    std::string secret;   // signs links and delivery-report URLs; shared with the landing page
    int linkTtlHours = 168;
    int repeatWindowMinutes = 10;               // the same number again within this: no second SMS
    std::vector<std::string> allowedCountries;  // empty: the store's country only
};

struct LimitsConfig {
    int perNumberPerHour = 3;
    int perRegisterPerMinute = 20;
    int perStorePerMinute = 120;
    int dailySmsBudget = 5000;
};

struct CrmConfig {
    bool sync = false;
    std::string connector = "rest";  // plugins/crm/CrmTable.cpp
    std::string url;
    std::string apiKey;  // secret: redacted in /v1/config
    std::string caFile = kDefaultCaFile;
    int batchSize = 100;
    int timeoutMs = 5000;
    int pauseSeconds = 60;       // after a 401/403: how long before the queue tries again
    int retryMaxSeconds = 300;   // the cap of the exponential backoff
    std::string clientCertFile;  // PEM client certificate for mTLS (with client_key_file)
    std::string clientKeyFile;
    // The background sync's requests per second (decimals allowed); 0: the
    // connector's own default (voyado: 0.8, safe for 50 stores sharing a key).
    double maxRequestsPerSecond = 0;
    // While the CRM is down (2 lookups in a row unanswered), lookups go straight
    // to the member cache and a probe asks the CRM this often (doubling to 60 s).
    // 0: every lookup asks the CRM and waits for it (the old behaviour).
    int healthProbeSeconds = 5;
    // [crm.voyado]: the tenant's consent id for each Lojal purpose (Voyado's
    // consent ids are made per tenant), and the store currency's rate to the
    // group currency (empty: not sent, Engage converts).
    std::map<std::string, std::string> voyadoConsentIds;
    std::string voyadoExchangeRate;
    long long voyadoPointDefinitionId = 0;     // the point account shown; 0: the first
    std::string voyadoContactType = "Member";  // the contact type sign-ups create
    int voyadoApiVersion = 3;                  // Voyado recommends v3 for new integrations
};

struct MembersConfig {
    int lookupTimeoutMs = 300;      // a cashier waits: then the cache answers
    int syncIntervalSeconds = 300;  // member and offer down-sync (with crm.sync on)
};

struct ReceiptsConfig {
    int retentionDays = 30;  // synced receipts are deleted this long after they arrived
};

// How long each other kind of personal data is kept (days); the retention task
// deletes older rows hourly. 0 keeps them until erased.
struct RetentionConfig {
    int signupsDays = 30;      // sign-ups (phone numbers) once synced to the CRM or given up
    int consentsDays = 30;     // consent records once synced (the CRM holds them then)
    int smsDays = 14;          // SMS rows (numbers, texts, delivery reports) once final
    int otpDays = 1;           // kiosk PIN rows (numbers, code hashes)
    int memberCacheDays = 90;  // cached members the down-sync has not seen for this long
};

// [alerts]: thresholds of the rules in alerts/AlertRules and the optional webhook.
struct AlertsConfig {
    int intervalSeconds = 5;
    int crmUnreachableMinutes = 10;
    int backlogMinutes = 30;
    int deviceAbsentMinutes = 5;
    int smsFailurePercent = 20;
    int smsMinAttempts = 10;
    int diskFreePercent = 10;
    int diskFullDays = 7;
    int diskTrendWindowSeconds = 86400;  // growth is measured over this window
    int diskTrendMinSeconds = 3600;      // and predicted only once samples span this
    int clockJumpSeconds = 120;
    std::string webhookUrl;  // empty: no webhook
    std::string webhookCaFile = kDefaultCaFile;
};

// A `[device.NAME]` section: a port (path or USB VID:PID), a driver from
// hal/drivers/DriverTable.cpp, line settings and the driver's own options.
struct DeviceConfig {
    std::string name;
    std::string driver;
    std::string port;      // a path (symlinks such as /dev/serial/by-id/... are fine)
    int usbVendorId = -1;  // or a USB match, when port is empty
    int usbProductId = -1;
    hal::SerialSettings serial;        // the driver's defaults, then what the section says
    std::set<std::string> serialKeys;  // the line-setting keys the section gives
    std::map<std::string, std::string> options;  // validated by the driver at start-up
    std::map<std::string, int> optionLines;      // for error messages naming the line
    int line = 0;                                // of the section's first key
};

struct EventsConfig {
    int ringSize = 10000;  // events kept for clients that reconnect with ?since=
};

// [camera]: the kiosk camera (GET /v1/camera) and its decoder process.
struct CameraConfig {
    bool enabled = true;
    std::string decoder;           // lojal-decode's path; empty: beside lojald
    uint16_t formats = 1;          // camera::Format bits; QR only by default
    int deadlineMs = 250;          // per frame, before the decoder is restarted
    int tryHarderEvery = 5;        // every Nth frame is decoded with tryHarder (0: never)
    int maxFramesPerSecond = 10;   // per kiosk connection; more are answered rate_limited
    int degradedAfterCrashes = 5;  // decoder crashes within a minute that degrade the camera
};

// [kiosk]: the kiosk web app lojald serves at /kiosk/ and its sessions.
struct KioskConfig {
    bool enabled = true;
    std::string uiDirectory;  // kiosk-ui/; empty: the installed one, else the source tree's
    // Addresses whose page loads get a kiosk session (loopback: the kiosk box itself).
    std::vector<std::string> addresses{"127.0.0.1", "::1"};
    int memberIdleSeconds = 60;  // a verified customer is forgotten after this long idle
    int idleResetSeconds = 45;   // the page returns home after this long untouched
    // What counts as "verified": otp (SMS PIN), qr (signed member QR), card (member card).
    std::set<std::string> verifiedBy{"otp", "qr"};
    std::string defaultLanguage = "en";         // sv, nb, da, fi or en
    std::string timeZone = "Europe/Stockholm";  // IANA name: the page shows times in it
    std::string scanner;  // the [device.NAME] at the kiosk whose member cards identify (with card)
};

struct Config {
    std::string source;  // the file it came from, or "<embedded default>"
    // Secret keys written in the file itself (not as KEY_file = PATH): the
    // configuration must then be readable by lojald only.
    std::vector<std::string> inlineSecrets;
    ServerConfig server;
    StoreConfig store;
    DatabaseConfig database;
    LogConfig log;
    AuthConfig auth;
    SmsConfig sms;
    SignupConfig signup;
    LimitsConfig limits;
    CrmConfig crm;
    MembersConfig members;
    ReceiptsConfig receipts;
    RetentionConfig retention;
    AlertsConfig alerts;
    barcode::ClassifierConfig scanning;  // [scanning]: member cards, member QR, coupons
    EventsConfig events;
    CameraConfig camera;
    KioskConfig kiosk;
    std::vector<DeviceConfig> devices;
};

// Lower-case hex SHA-256: how token secrets are kept and compared.
std::string sha256Hex(std::string_view text);

// The configuration `make run` uses when no --config is given: works offline.
extern const char* const kEmbeddedDefaultConfig;
constexpr const char* kEmbeddedDefaultName = "<embedded default>";

// Parses and validates INI text. Errors name the source, the line and the key.
Result<Config> parseConfig(std::string_view text, const std::string& source);
Result<Config> loadConfigFile(const std::string& path);

// The effective configuration as JSON, every secret replaced by "<redacted>".
Poco::JSON::Object toRedactedJson(const Config& config);

// The keys the schema knows, and which of them are secrets (redacted in
// toRedactedJson): for tests that walk the schema.
struct ConfigKeyInfo {
    std::string section;
    std::string key;
    bool secret = false;
};
std::vector<ConfigKeyInfo> configKeys();

}  // namespace lojal
