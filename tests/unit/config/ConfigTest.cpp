#define BOOST_TEST_MODULE config
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "config/Config.h"

using namespace lojal;

namespace {

// Serial ports and a file that is not there, as each platform names them (the
// test runs on Linux and, cross-built, under wine).
#ifdef _WIN32
const std::string kPort0 = "COM1", kPort1 = "COM2", kPort2 = "COM3";
const std::string kMissingFile = "C:\\nonexistent\\key";
void setEnvironment(const char* name, const std::string& value) {
    ::_putenv_s(name, value.c_str());
}
#else
const std::string kPort0 = "/dev/ttyS0", kPort1 = "/dev/ttyS1", kPort2 = "/dev/ttyS2";
const std::string kMissingFile = "/nonexistent/key";
void setEnvironment(const char* name, const std::string& value) {
    if (value.empty())
        ::unsetenv(name);
    else
        ::setenv(name, value.c_str(), 1);
}
#endif

Result<Config> parse(const std::string& text) {
    return parseConfig(text, "test.ini");
}

std::string failure(const std::string& text) {
    auto config = parse(text);
    BOOST_REQUIRE_MESSAGE(!config.ok(), "expected a refusal of: " + text);
    return config.error().message;
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(embedded_default_is_valid_and_offline) {
    auto config = parseConfig(kEmbeddedDefaultConfig, kEmbeddedDefaultName);
    BOOST_REQUIRE_MESSAGE(config.ok(), (config.ok() ? std::string() : config.error().message));
    BOOST_TEST(config->server.listen.size() == 1u);
    BOOST_TEST(config->server.listen[0].toString() == "127.0.0.1:8470");
    BOOST_TEST(config->database.path == "var/lojal.db");
    BOOST_TEST(config->auth.devTokensFile == "var/dev-tokens");
    BOOST_TEST(config->sms.gateway == "log");
    BOOST_TEST(!config->crm.sync);
}

BOOST_AUTO_TEST_CASE(typed_values_are_read) {
    auto config = parse(
        "[server]\nlisten = 127.0.0.1:9000, [::1]:9001\nthreads = 32\nbody_limit = 64KiB\n"
        "keep_alive_timeout = 7\n[log]\nlevel = debug\ntarget = file\nfile = /tmp/x.log\n"
        "[store]\ncountry = NO\nid = oslo-1\n");
    BOOST_REQUIRE_MESSAGE(config.ok(), (config.ok() ? std::string() : config.error().message));
    BOOST_TEST(config->server.listen.size() == 2u);
    BOOST_TEST(config->server.listen[1].toString() == "[::1]:9001");
    BOOST_TEST(config->server.threads == 32);
    BOOST_TEST(config->server.bodyLimitBytes == 64u * 1024u);
    BOOST_TEST(config->server.keepAliveTimeoutSeconds == 7);
    BOOST_TEST(config->log.level == "debug");
    BOOST_TEST((config->log.target == LogTarget::file));
    BOOST_TEST(config->store.country == "NO");
}

BOOST_AUTO_TEST_CASE(unknown_key_is_named_with_file_and_line) {
    const auto message = failure("[server]\nlisten = 127.0.0.1:1\nthreadz = 4\n");
    BOOST_TEST(message == "test.ini line 3: key 'server.threadz': unknown key");
}

BOOST_AUTO_TEST_CASE(unknown_section_is_an_unknown_key) {
    BOOST_TEST(
        contains(failure("[serevr]\nlisten = 127.0.0.1:1\n"), "key 'serevr.listen': unknown key"));
}

BOOST_AUTO_TEST_CASE(invalid_values_are_refused_naming_key_and_value) {
    const std::pair<const char*, const char*> cases[] = {
        {"[server]\nthreads = many\n", "key 'server.threads': invalid value 'many'"},
        {"[server]\nthreads = 1\n", "key 'server.threads': invalid value '1'"},
        {"[server]\nthreads = 99999999999999999999\n", "key 'server.threads'"},
        {"[server]\nlisten = localhost:80\n", "is not an IP address"},
        {"[server]\nlisten = 127.0.0.1:0\n", "invalid port"},
        {"[server]\nlisten = 127.0.0.1:65536\n", "invalid port"},
        {"[server]\nlisten = 127.0.0.1\n", "expected HOST:PORT"},
        {"[server]\nlisten =\n", "expected at least one HOST:PORT"},
        {"[server]\nbody_limit = 1GiB\n", "key 'server.body_limit'"},
        {"[server]\nbody_limit = 65MiB\n", "at most 64 MiB"},
        {"[server]\nbody_limit = -1\n", "key 'server.body_limit'"},
        {"[server]\nallow_remote = maybe\n", "expected on/off"},
        {"[log]\nlevel = loud\n", "key 'log.level': invalid value 'loud'"},
        {"[camera]\nformats = qr,datamatrix\n", "'datamatrix' is not a camera format"},
        {"[camera]\nformats =\n", "is not a camera format"},
        {"[camera]\ndecoder = lojal-decode\n", "expected an absolute path"},
        {"[camera]\ndeadline_ms = 5\n", "key 'camera.deadline_ms'"},
        {"[camera]\nmax_frames_per_second = 0\n", "key 'camera.max_frames_per_second'"},
        {"[camera]\nenabled = maybe\n", "expected on/off"},
        {"[kiosk]\naddresses = 127.0.0.1, kiosk-1\n", "'kiosk-1' is not an IP address"},
        {"[kiosk]\nverified_by = otp, fingerprint\n", "expected otp, qr and/or card"},
        {"[kiosk]\nverified_by =\n", "name at least one"},
        {"[kiosk]\ndefault_language = de\n", "expected sv, nb, da, fi or en"},
        {"[kiosk]\nidle_reset_seconds = 5\n", "key 'kiosk.idle_reset_seconds'"},
        {"[kiosk]\nui_dir = kiosk-ui\n", "expected an absolute directory path"},
        {"[log]\ntarget = printer\n", "key 'log.target'"},
        {"[log]\ntarget = file\n", "key 'log.file': required when log.target is file"},
        {"[store]\ncountry = XX\n", "key 'store.country'"},
        {"[store]\ncountry = se\n", "key 'store.country'"},
        {"[store]\nid =\n", "key 'store.id'"},
        {"[store]\ncurrency = XYZ\n", "key 'store.currency'"},
        {"[server]\nhost_names = kassa 3\n", "key 'server.host_names'"},
        {"[server]\nhost_names = evil/x\n", "key 'server.host_names'"},
        {"[server]\ntls_listen = 127.0.0.1:8471\n", "required when server.tls_listen"},
        {"[server]\ntls_listen = 10.0.0.1:8471\ntls_cert_file = a\ntls_key_file = b\n",
         "set server.allow_remote = on"},
        {"[store]\ncountry = BR\n", "key 'store.currency': required"},
        {"[device.t1]\ndriver = zvt\nport = tcp://terminal\n", "expected tcp://HOST:PORT"},
        {"[device.t1]\ndriver = zvt\nport = tcp://h:0\n", "expected tcp://HOST:PORT"},
        {"[device.t1]\ndriver = zvt\nport = tcp://h:65536\n", "expected tcp://HOST:PORT"},
        {"[device.t1]\ndriver = zvt\nport = tcp://::1:20007\n", "IPv6 in brackets"},
        {"[device.t1]\ndriver = zvt\nport = tcp://a b:1\n", "expected tcp://HOST:PORT"},
#ifdef _WIN32
        {"[device.t1]\ndriver = zvt\nport = /dev/ttyS0\n", "COM1 to COM255 or tcp://"},
#else
        {"[device.t1]\ndriver = zvt\nport = COM3\n", "absolute path or tcp://"},
#endif
        {"[database]\npath =\n", "key 'database.path'"},
        {"[sms]\ngateway = carrier-pigeon\n", "key 'sms.gateway'"},
        {"[crm]\nsync = on\n", "key 'crm.url': required when crm.sync is on"},
        {"[tokens]\nx = root:0123456789012345678901234\n", "unknown role 'root'"},
        {"[tokens]\nx = pos:short\n", "at least 24 characters"},
        {"[tokens]\nx = pos\n", "expected ROLE:SECRET"},
        {"[tokens]\nx = pos:sha256:XYZ\n", "64 lower-case hex digits"},
    };
    for (const auto& [text, expected] : cases) {
        BOOST_TEST_CONTEXT(text) {
            const auto message = failure(text);
            BOOST_TEST(contains(message, "test.ini"));
            BOOST_TEST(contains(message, expected), message);
        }
    }
}

BOOST_AUTO_TEST_CASE(remote_listen_needs_explicit_opt_in) {
    BOOST_TEST(contains(failure("[server]\nlisten = 0.0.0.0:8470\n"), "server.allow_remote"));
    BOOST_TEST(contains(failure("[server]\nlisten = 192.0.2.1:8470\n"), "not a loopback address"));
    BOOST_TEST(parse("[server]\nlisten = 0.0.0.0:8470\nallow_remote = on\n").ok());
}

BOOST_AUTO_TEST_CASE(tokens_are_kept_as_hashes_and_redacted) {
    const std::string secret = "a-secret-of-at-least-24-chars";
    auto config = parse("[tokens]\nregister-1 = pos:" + secret +
                        "\nit = admin:sha256:" + std::string(64, 'a') + "\n");
    BOOST_REQUIRE(config.ok());
    BOOST_REQUIRE_EQUAL(config->auth.tokens.size(), 2u);
    BOOST_TEST(config->auth.tokens[0].name == "register-1");
    BOOST_TEST((config->auth.tokens[0].role == Role::pos));
    BOOST_TEST(config->auth.tokens[0].sha256Hex == sha256Hex(secret));
    BOOST_TEST(config->auth.tokens[1].sha256Hex == std::string(64, 'a'));

    std::ostringstream dump;
    toRedactedJson(*config).stringify(dump);
    BOOST_TEST(!contains(dump.str(), secret));
    BOOST_TEST(!contains(dump.str(), std::string(64, 'a')));
    BOOST_TEST(!contains(dump.str(), sha256Hex(secret)));
    BOOST_TEST(contains(dump.str(), "\"register-1\":\"pos:<redacted>\""));
}

BOOST_AUTO_TEST_CASE(sha256_matches_known_vector) {
    BOOST_TEST(sha256Hex("abc") ==
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(missing_file_is_named) {
    auto config = loadConfigFile("/nonexistent/lojald.ini");
    BOOST_REQUIRE(!config.ok());
    BOOST_TEST(config.error().message == "/nonexistent/lojald.ini: cannot open config file");
}

BOOST_AUTO_TEST_CASE(the_store_currency_follows_its_country_unless_given) {
    BOOST_TEST(parse("")->store.currency == "SEK");
    BOOST_TEST(parse("[store]\ncountry = FI\n")->store.currency == "EUR");
    BOOST_TEST(parse("[store]\ncountry = NO\n")->store.currency == "NOK");
    BOOST_TEST(parse("[store]\ncountry = BR\ncurrency = USD\n")->store.currency == "USD");
}

BOOST_AUTO_TEST_CASE(device_line_settings_are_the_drivers_then_the_sections) {
    auto config =
        parse("[device.t1]\ndriver = zvt\nport = " + kPort0 + "\n" +
              "[device.t2]\ndriver = zvt\nport = " + kPort1 + "\nbaud = 115200\nstop_bits = 1\n" +
              "[device.s1]\ndriver = serial-scanner\nport = " + kPort2 + "\n" +
              "[device.t3]\ndriver = zvt\nport = tcp://[fe80::1]:20007\n");
    BOOST_REQUIRE_MESSAGE(config.ok(), (config.ok() ? std::string() : config.error().message));
    BOOST_TEST(config->devices[0].serial.describe() == "9600 8N2");  // ZVT, PA00P016 2.1
    BOOST_TEST(config->devices[1].serial.describe() == "115200 8N1");
    BOOST_TEST(config->devices[2].serial.describe() == "9600 8N1");
    BOOST_TEST(config->devices[3].port == "tcp://[fe80::1]:20007");
}

BOOST_AUTO_TEST_CASE(every_secret_in_the_schema_is_declared_and_redacted) {
    // A key named like a secret must be declared one, so it cannot be forgotten.
    for (const ConfigKeyInfo& key : configKeys()) {
        const std::string& name = key.key;
        const bool looksSecret = name.find("secret") != std::string::npos ||
                                 name.find("password") != std::string::npos || name == "api_key" ||
                                 name == "webhook_url" ||
                                 (name.size() > 4 && name.compare(name.size() - 4, 4, "_key") == 0);
        BOOST_TEST_CONTEXT(key.section + "." + name) {
            BOOST_TEST(key.secret == looksSecret);
        }
    }
    // Every declared secret, set to a value of its own, is absent from the dump.
    std::string text;
    std::vector<std::string> markers;
    std::map<std::string, std::string> bySection;
    for (const ConfigKeyInfo& key : configKeys()) {
        if (!key.secret) continue;
        markers.push_back("secret-marker-" + key.section + "-" + key.key + "-0123456789abcdef");
        const std::string prefix = key.key == "webhook_url" ? "https://hooks.example/" : "";
        bySection[key.section] += key.key + " = " + prefix + markers.back() + "\n";
    }
    for (const auto& [section, lines] : bySection) text += "[" + section + "]\n" + lines;
    text += "[device.t1]\ndriver = zvt\nport = " + kPort0 +
            "\ncard_token_key = zvt-card-key-marker-0123456789\npassword = 314159\nt4_ms = 3000\n";
    markers.push_back("zvt-card-key-marker-0123456789");
    markers.push_back("314159");
    auto config = parse(text);
    BOOST_REQUIRE_MESSAGE(config.ok(), (config.ok() ? std::string() : config.error().message));
    std::ostringstream dump;
    toRedactedJson(*config).stringify(dump);
    for (const std::string& marker : markers) {
        BOOST_TEST_CONTEXT(marker) {
            BOOST_TEST(!contains(dump.str(), marker));
        }
    }
    BOOST_TEST(contains(dump.str(), "\"card_token_key\":\"<redacted>\""), dump.str());
    // What is no secret stays readable: store IT needs it.
    BOOST_TEST(contains(dump.str(), "\"t4_ms\":\"3000\""), dump.str());
    BOOST_TEST(contains(dump.str(), "\"port\":\"" + kPort0 + "\""), dump.str());
}

BOOST_AUTO_TEST_CASE(the_camera_reads_qr_only_unless_told) {
    auto defaults = parse("");
    BOOST_REQUIRE(defaults.ok());
    BOOST_TEST(defaults->camera.enabled);
    BOOST_TEST(defaults->camera.formats == 1);  // camera::kQrCode
    BOOST_TEST(defaults->camera.deadlineMs == 250);
    auto chosen = parse("[camera]\nformats = qr, ean13 ,upce\ntry_harder_every = 0\n");
    BOOST_REQUIRE(chosen.ok());
    BOOST_TEST(chosen->camera.formats == (1 | 2 | 16));
    BOOST_TEST(chosen->camera.tryHarderEvery == 0);
    std::ostringstream json;
    toRedactedJson(*chosen).stringify(json);
    BOOST_TEST(contains(json.str(), "\"formats\":\"qr,ean13,upce\""));
}

namespace {

std::string writeSecretFile(const std::string& name, const std::string& content) {
    static const std::filesystem::path directory = [] {
        const auto made = std::filesystem::temp_directory_path() /
                          ("lojal-secret-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(made);
        return made;
    }();
    const std::string path = (directory / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_secret_can_come_from_a_file_or_a_systemd_credential) {
    const std::string keyFile = writeSecretFile("crm.key", "k3y-from-a-file\n");
    auto config = parse("[crm]\napi_key_file = " + keyFile + "\n");
    BOOST_REQUIRE_MESSAGE(config.ok(), (config.ok() ? std::string() : config.error().message));
    BOOST_TEST(config->crm.apiKey == "k3y-from-a-file");  // the newline is not part of it
    BOOST_TEST(config->inlineSecrets.empty());

    const std::string credentials = std::filesystem::path(keyFile).parent_path().string();
    std::ofstream(credentials + "/sms_password") << "gateway-pass";
    setEnvironment("CREDENTIALS_DIRECTORY", credentials);
    config = parse("[sms]\npassword_file = credential:sms_password\n");
    BOOST_REQUIRE_MESSAGE(config.ok(), (config.ok() ? std::string() : config.error().message));
    BOOST_TEST(config->sms.password == "gateway-pass");

    // Written in the file itself, a secret is named as one (for the start-up warning).
    config = parse("[crm]\napi_key = inline\n");
    BOOST_REQUIRE(config.ok());
    BOOST_TEST(config->inlineSecrets == std::vector<std::string>{"crm.api_key"});
}

BOOST_AUTO_TEST_CASE(a_secret_file_that_cannot_be_used_is_named_without_its_content) {
    BOOST_TEST(contains(failure("[crm]\napi_key_file = " + kMissingFile + "\n"),
                        "key 'crm.api_key_file': cannot read " + kMissingFile));
    BOOST_TEST(contains(failure("[crm]\napi_key_file = relative/key\n"), "absolute path"));
    BOOST_TEST(
        contains(failure("[crm]\napi_key_file = credential:../etc/shadow\n"), "without '/'"));
    setEnvironment("CREDENTIALS_DIRECTORY", "");
    BOOST_TEST(contains(failure("[crm]\napi_key_file = credential:crm\n"), "LoadCredential="));
    // Only secrets take _file: any other key does not exist with that suffix.
    BOOST_TEST(contains(failure("[crm]\nurl_file = /etc/hostname\n"), "unknown key"));
    const std::string big = writeSecretFile("big", std::string(70 * 1024, 'x'));
    BOOST_TEST(contains(failure("[crm]\napi_key_file = " + big + "\n"), "larger than 64 KiB"));
    const std::string tooLong = writeSecretFile("long", std::string(600, 'x'));
    const std::string message = failure("[crm]\napi_key_file = " + tooLong + "\n");
    BOOST_TEST(contains(message, "is not valid"));
    BOOST_TEST(!contains(message, "xxxxxxxxxx"));  // the secret is never quoted back
}

BOOST_AUTO_TEST_CASE(a_drivers_secret_option_can_come_from_a_file) {
    const std::string keyFile = writeSecretFile("card.key", std::string(64, 'a') + "\n");
    auto config = parse("[device.t1]\ncard_token_key_file = " + keyFile +
                        "\ndriver = zvt\nport = " + kPort0 + "\n");
    BOOST_REQUIRE_MESSAGE(config.ok(), (config.ok() ? std::string() : config.error().message));
    BOOST_TEST(config->devices[0].options.at("card_token_key") == std::string(64, 'a'));
    BOOST_TEST(config->devices[0].options.count("card_token_key_file") == 0u);
    BOOST_TEST(config->inlineSecrets.empty());
    BOOST_TEST(
        contains(failure("[device.t1]\ndriver = zvt\nport = " + kPort0 +
                         "\ncard_token_key_file = " + kMissingFile + "\n"),
                 "line 4: key 'device.t1.card_token_key_file': cannot read " + kMissingFile));
    config = parse("[device.t1]\ndriver = zvt\nport = " + kPort0 +
                   "\ncard_token_key = " + std::string(64, 'b') + "\n");
    BOOST_REQUIRE(config.ok());
    BOOST_TEST(config->inlineSecrets == std::vector<std::string>{"device.t1.card_token_key"});
}

BOOST_AUTO_TEST_CASE(alerts_retention_and_log_format_have_defaults_and_bounds) {
    auto config = parse("");
    BOOST_REQUIRE(config.ok());
    BOOST_TEST(config->alerts.intervalSeconds == 5);
    BOOST_TEST(config->alerts.crmUnreachableMinutes == 10);
    BOOST_TEST(config->alerts.webhookUrl.empty());
    BOOST_TEST(config->retention.signupsDays == 30);
    BOOST_TEST(config->retention.otpDays == 1);
    BOOST_TEST((config->log.format == LogFormat::text));
    config = parse(
        "[log]\nformat = json\ntarget = file\nfile = lojald.log\n[retention]\nsms_days = 0\n"
        "[alerts]\nwebhook_url = https://hooks.example/x\nsms_failure_percent = 50\n");
    BOOST_REQUIRE_MESSAGE(config.ok(), (config.ok() ? std::string() : config.error().message));
    BOOST_TEST((config->log.format == LogFormat::json));
    BOOST_TEST((config->log.target == LogTarget::file));
    BOOST_TEST(config->retention.smsDays == 0);
    BOOST_TEST(config->alerts.smsFailurePercent == 50);
    BOOST_TEST(contains(failure("[log]\nformat = xml\n"), "expected text or json"));
    BOOST_TEST(contains(failure("[alerts]\nwebhook_url = ftp://x\n"), "expected an http(s) URL"));
    BOOST_TEST(contains(failure("[alerts]\ninterval_seconds = 0\n"), "alerts.interval_seconds"));
    BOOST_TEST(contains(failure("[alerts]\nsms_failure_percent = 101\n"), "sms_failure_percent"));
    BOOST_TEST(contains(failure("[retention]\nsignups_days = -1\n"), "retention.signups_days"));
    // A webhook URL may carry its access token: never shown.
    std::ostringstream dump;
    toRedactedJson(*config).stringify(dump);
    BOOST_TEST(!contains(dump.str(), "hooks.example"));
}

BOOST_AUTO_TEST_CASE(the_voyado_keys_have_defaults_and_bounds) {
    auto config = parse("");
    BOOST_REQUIRE(config.ok());
    BOOST_TEST(config->crm.maxRequestsPerSecond == 0.0);  // the connector's default share
    BOOST_TEST(config->crm.voyadoApiVersion == 3);
    BOOST_TEST(config->crm.voyadoContactType == "Member");
    config = parse(
        "[crm]\nmax_requests_per_second = 0.8\n[crm.voyado]\napi_version = 2\n"
        "contact_type = Kund\n");
    BOOST_REQUIRE_MESSAGE(config.ok(), (config.ok() ? std::string() : config.error().message));
    BOOST_TEST(config->crm.maxRequestsPerSecond == 0.8);
    BOOST_TEST(config->crm.voyadoApiVersion == 2);
    BOOST_TEST(config->crm.voyadoContactType == "Kund");
    for (const char* bad : {"-1", "abc", "10001", "1e3", "0.0001"})
        BOOST_TEST(contains(failure(std::string("[crm]\nmax_requests_per_second = ") + bad + "\n"),
                            "crm.max_requests_per_second"),
                   bad);
    BOOST_TEST(contains(failure("[crm.voyado]\napi_version = 4\n"), "expected 2 or 3"));
    BOOST_TEST(contains(failure("[crm.voyado]\ncontact_type = \n"), "crm.voyado.contact_type"));
}

BOOST_AUTO_TEST_CASE(serial_ports_and_log_targets_are_the_platforms_own) {
    const auto port = [](const std::string& name) {
        return "[device.t1]\ndriver = zvt\nport = " + name + "\n";
    };
#ifdef _WIN32
    for (const std::string name : {"COM1", "COM10", "COM255", "\\\\.\\COM12"}) {
        BOOST_TEST_CONTEXT(name) {
            auto config = parse(port(name));
            BOOST_REQUIRE_MESSAGE(config.ok(), (config.ok() ? "" : config.error().message));
            BOOST_TEST(config->devices[0].port == name);
        }
    }
    for (const std::string name : {"COM0", "COM256", "COM01", "COM", "LPT1", "/dev/ttyS0"}) {
        BOOST_TEST_CONTEXT(name) {
            BOOST_TEST(contains(failure(port(name)), "expected COM1 to COM255 or tcp://"));
        }
    }
    BOOST_TEST((parse("[log]\ntarget = eventlog\n")->log.target == LogTarget::eventlog));
    BOOST_TEST(contains(failure("[log]\ntarget = syslog\n"), "eventlog (the Windows event log)"));
#else
    auto config = parse(port("/dev/ttyUSB0"));
    BOOST_REQUIRE(config.ok());
    BOOST_TEST(config->devices[0].port == "/dev/ttyUSB0");
    BOOST_TEST(contains(failure(port("COM3")), "expected an absolute path or tcp://"));
    BOOST_TEST(contains(failure("[log]\ntarget = eventlog\n"), "the Windows event log"));
#endif
}
