#include "app/Lojald.h"

#include <Poco/Logger.h>
#include <Poco/Path.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionCallback.h>
#ifdef _WIN32
#include <Poco/Util/WinService.h>
#endif
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "alerts/AlertService.h"
#include "api/AdminRoutes.h"
#include "api/ApiServer.h"
#include "api/Auth.h"
#include "api/DeviceRoutes.h"
#include "api/KioskRoutes.h"
#include "api/MemberRoutes.h"
#include "api/ReceiptRoutes.h"
#include "api/Router.h"
#include "api/SignupRoutes.h"
#include "api/SystemRoutes.h"
#include "api/TerminalRoutes.h"
#include "app/ConfigCheck.h"
#include "app/Logging.h"
#include "app/PeriodicTask.h"
#include "config/Config.h"
#include "core/Paths.h"
#include "core/PosixFiles.h"
#include "core/Sockets.h"
#include "core/Time.h"
#include "core/Version.h"
#include "devices/DeviceManager.h"
#include "events/EventRing.h"
#include "events/EventStreams.h"
#include "members/ErasureSync.h"
#include "members/MemberService.h"
#include "receipts/ReceiptService.h"
#include "receipts/ReceiptSync.h"
#include "retention/Retention.h"
#include "signup/SignupService.h"
#include "signup/SignupSync.h"
#include "sms/SmsWorker.h"
#include "sms/Templates.h"
#include "store/Database.h"

namespace lojal {

using Poco::Util::Option;
using Poco::Util::OptionCallback;

void Lojald::defineOptions(Poco::Util::OptionSet& options) {
    ServerApplication::defineOptions(options);
    options.addOption(Option("config", "c",
                             "read the configuration from FILE instead of the "
                             "embedded default")
                          .argument("FILE")
                          .repeatable(false)
                          .callback(OptionCallback<Lojald>(this, &Lojald::handleConfig)));
    options.addOption(Option("check-config", "", "validate the configuration and exit")
                          .callback(OptionCallback<Lojald>(this, &Lojald::handleFlag)));
    options.addOption(Option("version", "", "print the version and exit")
                          .callback(OptionCallback<Lojald>(this, &Lojald::handleFlag)));
    options.addOption(Option("help", "h", "print this help and exit")
                          .callback(OptionCallback<Lojald>(this, &Lojald::handleFlag)));
}

// Made absolute now: with --daemon, Poco changes to / before main() runs.
void Lojald::handleConfig(const std::string&, const std::string& value) {
    configPath_ = Poco::Path(value).makeAbsolute().toString();
}

void Lojald::handleFlag(const std::string& name, const std::string&) {
    if (name == "check-config") checkOnly_ = true;
    if (name == "version") showVersion_ = true;
    if (name == "help") showHelp_ = true;
    if (showHelp_ || showVersion_) stopOptionsProcessing();
}

namespace {

#ifdef _WIN32
// What the process needs before any thread starts. Windows has no signals to
// block (Ctrl-C and the service manager's stop reach waitForTerminationRequest):
// the Winsock start-up and binary files (core/Sockets, core/PosixFiles).
void preparePlatform() {
    sockets::startNetworking();
    binaryFilesByDefault();
}
#else
// What the process needs before any thread starts. Signals are taken by
// waitForSignals() with sigwait; blocked first, no worker thread is picked to
// die of SIGTERM.
void preparePlatform() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGHUP);  // reloads the tokens file (waitForSignals)
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the daemon
}
#endif

int fail(Poco::Logger& log, const LogConfig& logConfig, const std::string& message, int code) {
    log.fatal(message);
    // Start-up failures also go to stderr, so `systemctl status` and a shell show them.
    if (logConfig.target != LogTarget::console) std::cerr << "lojald: " << message << std::endl;
    return code;
}

#ifndef _WIN32
// Waits for SIGTERM, SIGINT or SIGQUIT; each SIGHUP meanwhile runs onHangUp.
void waitForSignals(const std::function<void()>& onHangUp) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGHUP);
    for (;;) {
        int signal = 0;
        if (sigwait(&set, &signal) != 0) continue;
        if (signal != SIGHUP) return;
        onHangUp();
    }
}
#endif

// Every token lojald accepts: [tokens], the development tokens file and the
// tokens file (lojalctl tokens), read again on each reload.
Result<std::vector<ApiToken>> collectTokens(const Config& config) {
    std::vector<ApiToken> tokens = config.auth.tokens;
    if (!config.auth.devTokensFile.empty()) {
        auto devTokens = loadOrCreateDevTokens(config.auth.devTokensFile);
        if (!devTokens) return devTokens.error();
        tokens.insert(tokens.end(), devTokens->begin(), devTokens->end());
    }
    if (!config.auth.tokensFile.empty()) {
        auto fileTokens = loadTokensFile(config.auth.tokensFile);
        if (!fileTokens) return fileTokens.error();
        tokens.insert(tokens.end(), fileTokens->begin(), fileTokens->end());
    }
    return tokens;
}

// The plug-ins' settings, from the sections that configure them.
sms::GatewaySettings gatewaySettings(const Config& config) {
    sms::GatewaySettings settings;
    settings.url = config.sms.url;
    settings.username = config.sms.username;
    settings.password = config.sms.password;
    settings.sender = config.sms.sender;
    settings.format = config.sms.httpFormat;
    settings.toField = config.sms.httpToField;
    settings.textField = config.sms.httpTextField;
    settings.fromField = config.sms.httpFromField;
    settings.idField = config.sms.httpIdField;
    settings.caFile = config.sms.caFile;
    settings.logFile = config.sms.logFile;
    return settings;
}

crm::ConnectorSettings connectorSettings(const Config& config) {
    crm::ConnectorSettings settings;
    settings.url = config.crm.url;
    settings.apiKey = config.crm.apiKey;
    settings.caFile = config.crm.caFile;
    settings.clientCertFile = config.crm.clientCertFile;
    settings.clientKeyFile = config.crm.clientKeyFile;
    settings.timeoutMs = config.crm.timeoutMs;
    settings.storeId = config.store.id;
    settings.maxRequestsPerSecond = config.crm.maxRequestsPerSecond;
    settings.consentIds = config.crm.voyadoConsentIds;
    settings.exchangeRateToGroupCurrency = config.crm.voyadoExchangeRate;
    settings.pointDefinitionId = config.crm.voyadoPointDefinitionId;
    settings.contactType = config.crm.voyadoContactType;
    settings.countryCode = config.store.country;
    settings.apiVersion = config.crm.voyadoApiVersion;
    return settings;
}

}  // namespace

#ifdef _WIN32
// Restart on failure: the service manager restarts lojald 5 s after a crash,
// 10 s after a second and 60 s after each further one (the count resets after
// a day). Set by lojald itself, since wixl cannot write it into the package.
static void restartOnFailure(Poco::Logger& log) {
    using Poco::Util::WinService;
    try {
        WinService service("lojald");
        service.setFailureActions({{WinService::SVC_RESTART, 5000},
                                   {WinService::SVC_RESTART, 10000},
                                   {WinService::SVC_RESTART, 60000}});
        log.information("service recovery: restart after 5 s, 10 s, then every 60 s");
    } catch (const Poco::Exception& e) {
        log.warning("service recovery not set (%s): set it in services.msc, Recovery tab",
                    e.displayText());
    }
}

// %ProgramData%\Lojal\lojald.ini, made from lojald.ini.example beside
// lojald.exe on the first start (never over a store's edits). lojald then works
// in that folder, so the shipped configuration's relative paths (the database,
// the tokens file, the log) land there too, whatever the service manager's
// working directory.
static std::optional<std::string> windowsConfiguration() {
    const std::string data = windowsDataDirectory();
    if (data.empty()) return std::nullopt;
    const std::string config = data + "lojald.ini";
    if (!installConfigIfMissing(config, executableDirectory() + "lojald.ini.example"))
        return std::nullopt;
    std::error_code ignored;
    std::filesystem::current_path(data, ignored);
    return config;
}
#endif

// A configuration file that holds a secret must not be readable by every
// user of the box (the .deb ships it 0640 root:lojal): its path when it is.
static std::string readableSecretConfig(const Config& config,
                                        const std::optional<std::string>& path) {
    if (!path) return "";  // the embedded default holds only development values
    if (config.inlineSecrets.empty()) return "";  // secrets come from KEY_file files
#ifdef _WIN32
    return "";  // no "other" bits: the ProgramData folder's ACL keeps it (docs/WINDOWS.md)
#endif
    struct stat info {};
    if (::stat(path->c_str(), &info) != 0 || !(info.st_mode & S_IROTH)) return "";
    return *path;
}

static void warnIfSecretsReadable(const Config& config, const std::optional<std::string>& path,
                                  Poco::Logger& log) {
    if (readableSecretConfig(config, path).empty()) return;
    log.warning(
        "configuration %s holds secrets (%s) and is readable by every user: "
        "chgrp lojal %s && chmod 0640 %s, or move them to files (KEY_file = PATH)",
        *path, config.inlineSecrets.front(), *path, *path);
}

int Lojald::main(const std::vector<std::string>&) {
    if (showHelp_) {
        Poco::Util::HelpFormatter help(options());
        help.setCommand(commandName());
        help.setUsage("[--config FILE] [--check-config] [--daemon]");
        help.setHeader("lojald: the Lojal in-store loyalty daemon.");
        help.format(std::cout);
        return EXIT_OK;
    }
    if (showVersion_) {
        std::cout << "lojald " << kLojalVersion << std::endl;
        return EXIT_OK;
    }
    preparePlatform();
    const auto startedAt = std::chrono::steady_clock::now();
#ifdef _WIN32
    if (!configPath_) configPath_ = windowsConfiguration();
    if (!configPath_) {
        std::cerr << "lojald: cannot create the configuration under %ProgramData%\\Lojal"
                  << std::endl;
        return EXIT_CANTCREAT;
    }
#endif

    auto loaded = configPath_ ? loadConfigFile(*configPath_)
                              : parseConfig(kEmbeddedDefaultConfig, kEmbeddedDefaultName);
    if (!loaded) {
        std::cerr << "lojald: configuration error: " << loaded.error().message << std::endl;
        return EXIT_CONFIG;
    }
    const Config& config = *loaded;
    EventRing events(static_cast<size_t>(config.events.ringSize));
    auto devices = DeviceManager::create(config, events);
    if (!devices) {
        std::cerr << "lojald: configuration error: " << devices.error().message << std::endl;
        return EXIT_CONFIG;
    }
    auto templates = loadTemplatesFor(config);
    if (!templates) {
        std::cerr << "lojald: configuration error: " << templates.error().message << std::endl;
        return EXIT_CONFIG;
    }
    const auto gatewayEntry = sms::gatewayTable().find(config.sms.gateway);
    if (checkOnly_) {
        std::cout << config.source << ": configuration OK" << std::endl;
        return EXIT_OK;
    }
    if (auto logging = configureLogging(config.log); !logging) {
        std::cerr << "lojald: " << logging.error().message << std::endl;
        return EXIT_CONFIG;
    }
    Poco::Logger& log = Poco::Logger::get("lojal");
    log.information("lojald %s starting with configuration %s", std::string(kLojalVersion),
                    config.source);
    warnIfSecretsReadable(config, configPath_, log);
#ifdef _WIN32
    if (Application::config().getBool("application.runAsService", false)) restartOnFailure(log);
#endif

    auto tokens = collectTokens(config);
    if (!tokens) return fail(log, config.log, tokens.error().message, EXIT_CANTCREAT);
    if (!config.auth.devTokensFile.empty())
        log.notice("development tokens (ROLE TOKEN) are in %s", config.auth.devTokensFile);
    if (tokens->empty()) {
        log.warning(
            "no API tokens configured: only GET /v1/health answers; add one with lojalctl tokens "
            "add NAME ROLE ([auth] tokens_file) or in [tokens]");
    }
    TokenRegistry tokenRegistry(*tokens);
    // A reload replaces every token at once, or keeps the old set when the file is bad.
    std::mutex reloadMutex;
    const auto reloadTokens = [&]() -> Result<size_t> {
        std::lock_guard lock(reloadMutex);
        auto reloaded = collectTokens(config);
        if (!reloaded) {
            log.error("tokens not reloaded, the old ones stay: %s", reloaded.error().message);
            return reloaded.error();
        }
        tokenRegistry.replace(*reloaded);
        log.notice("tokens reloaded: %z", reloaded->size());
        return reloaded->size();
    };

    auto database = Database::open(config.database);
    if (!database) return fail(log, config.log, database.error().message, EXIT_IOERR);
    log.information("database %s open at schema version %d", config.database.path,
                    (*database)->schemaVersion());

    HttpMetrics metrics;
    Router router;
    SystemContext system{config, **database, metrics, startedAt, nullptr, nullptr};
    addSystemRoutes(router, system);
    EventStreams::Limits streamLimits;
    streamLimits.streamsPerToken = config.server.maxStreamsPerToken;
    EventStreams eventStreams(events, streamLimits);
#ifdef _WIN32
    if (config.camera.enabled)
        log.warning("[camera] enabled is ignored: the Windows build has no camera decoder");
    DeviceRoutesContext deviceRoutes{**devices, events, eventStreams, nullptr, nullptr};
#else
    std::unique_ptr<CameraService> camera;
    std::unique_ptr<CameraStreams> cameraStreams;
    if (config.camera.enabled) {
        camera = std::make_unique<CameraService>(config.camera, config.scanning, events);
        cameraStreams = std::make_unique<CameraStreams>(*camera, config.camera.maxFramesPerSecond);
    }
    DeviceRoutesContext deviceRoutes{**devices, events, eventStreams, camera.get(),
                                     cameraStreams.get()};
#endif
    addDeviceRoutes(router, deviceRoutes);

    SmsWorker smsWorker(config, **database, gatewayEntry->second.create(gatewaySettings(config)));
    SmsLimits smsLimits(config);
    if (auto counted = smsLimits.restore(**database, config.store.id); !counted) {
        log.warning("SMS limits start empty: %s", counted.error().message);
    } else if (*counted > 0) {
        log.information("SMS limits: %d SMS of the last hour counted", *counted);
    }
    std::unique_ptr<CrmSync> signupSync;  // made with the CRM connector below
    SignupService signups(config, **database, *templates, smsLimits, [&smsWorker, &signupSync] {
        smsWorker.wake();
        if (signupSync) signupSync->wake();
    });
    OtpService otp(config, **database, *templates, smsLimits, [&smsWorker] { smsWorker.wake(); });
    SignupRoutesContext signupRoutes{signups, otp, smsWorker, **database};
    addSignupRoutes(router, signupRoutes);
    auto memberKeys = MemberKeys::load(**database);
    if (!memberKeys) return fail(log, config.log, memberKeys.error().message, EXIT_IOERR);
    // One connector for receipts, lookups and down-sync: it is thread-safe, and a
    // CRM's request-rate limit (voyado) must count all of them together.
    std::shared_ptr<crm::CrmConnector> connector;
    std::unique_ptr<CrmSync> receiptSync;
    std::unique_ptr<CrmSync> erasureSync;
    if (config.crm.sync) {
        connector =
            crm::connectorTable().at(config.crm.connector).create(connectorSettings(config));
        receiptSync = std::make_unique<CrmSync>(config.crm, **database,
                                                receiptSyncTopic(**database, connector));
        signupSync = std::make_unique<CrmSync>(config.crm, **database,
                                               signupSyncTopic(**database, connector));
        erasureSync = std::make_unique<CrmSync>(config.crm, **database,
                                                erasureSyncTopic(**database, connector));
    }
    ReceiptService receipts(**database, *memberKeys, config.scanning.memberQrKey, [&receiptSync] {
        if (receiptSync) receiptSync->wake();
    });
    MemberCache memberCache(**database, *memberKeys);
    MemberService members(config, memberCache, connector);
    members.onErasureQueued([&erasureSync] {
        if (erasureSync) erasureSync->wake();
    });
    addMemberRoutes(router, members);
    addTerminalRoutes(router, **devices);
    // A card from a terminal -> its member, from the cache or the CRM (300 ms).
    (*devices)->setMemberFinder([&members](const std::string& cardToken) {
        auto found = members.lookup({{"card", cardToken}});
        Poco::JSON::Object member;
        if (auto* answer = std::get_if<Poco::JSON::Object>(&found)) {
            member = answer->get("member").extract<Poco::JSON::Object>();
            member.set("source", answer->getValue<std::string>("source"));
        }
        return member;
    });
    PeriodicTask memberSync(std::chrono::seconds(config.members.syncIntervalSeconds),
                            [&members] { members.syncOnce(); });
    // While the CRM is known down, this asks it again when a probe is due.
    PeriodicTask crmProbe(std::chrono::seconds(1), [&members] { members.probeOnce(); });
    std::atomic<uint64_t> receiptsPurged{0};
    std::mutex purgedMutex;
    std::map<std::string, uint64_t> personalRowsPurged;  // by kind, for /metrics
    PeriodicTask retention(std::chrono::hours(1), [&] {
        const int64_t now = unixMillisNow();
        const int64_t cutoff = now - config.receipts.retentionDays * 86400000LL;
        auto purged = receipts.purgeSyncedBefore(cutoff);
        if (!purged) {
            log.error("retention purge failed: %s", purged.error().message);
        } else if (*purged > 0) {
            receiptsPurged += static_cast<uint64_t>(*purged);
            log.information("retention: %d synced receipt(s) older than %d day(s) deleted", *purged,
                            config.receipts.retentionDays);
        }
        auto personal = purgeExpiredPersonalData(**database, config.retention, now);
        if (!personal) {
            log.error("retention purge of personal data failed: %s", personal.error().message);
            return;
        }
        std::lock_guard lock(purgedMutex);
        for (const auto& [kind, count] : *personal) {
            personalRowsPurged[kind] += static_cast<uint64_t>(count);
            if (count > 0) log.information("retention: %d %s row(s) deleted", count, kind);
        }
    });
    addReceiptRoutes(router, receipts);
    std::unique_ptr<AlertWebhook> alertWebhook;
    if (!config.alerts.webhookUrl.empty())
        alertWebhook = std::make_unique<AlertWebhook>(config.alerts, **database);
    AlertSources alertSources;
    alertSources.crmUnreachableSinceMs = [&]() -> std::optional<int64_t> {
        std::optional<int64_t> since = members.crmDownSinceMs();
        for (CrmSync* sync : {receiptSync.get(), signupSync.get(), erasureSync.get()}) {
            const int64_t failing = sync ? sync->health().failingSinceMs : 0;
            if (failing > 0 && (!since || failing < *since)) since = failing;
        }
        return since;
    };
    // One answer for the alert and for /v1/status: why a sync is paused (401/403).
    const auto crmPausedReason = [&]() -> std::optional<std::string> {
        for (CrmSync* sync : {receiptSync.get(), signupSync.get(), erasureSync.get()}) {
            if (auto reason = sync ? sync->health().pausedReason : std::nullopt) return reason;
        }
        return std::nullopt;
    };
    alertSources.crmPausedReason = crmPausedReason;
    alertSources.devices = [&] {
        std::vector<alerts::DeviceReading> readings;
        for (const auto& device : (*devices)->statuses()) {
            readings.push_back(
                {device.name, device.state == DeviceState::ready, device.sinceMs, device.reason});
        }
        return readings;
    };
    alertSources.smsTotals = [&]() -> std::pair<uint64_t, uint64_t> {
        const auto counters = smsWorker.counters();
        const auto count = [&](const char* name) {
            const auto found = counters.find(name);
            return found == counters.end() ? uint64_t{0} : found->second;
        };
        const uint64_t failures = count("failed") + count("retried");
        return {count("sent") + failures, failures};
    };
    alertSources.worldReadableConfig = [&] { return readableSecretConfig(config, configPath_); };
    AlertService alerts(config, **database, events, alertSources, [&alertWebhook] {
        if (alertWebhook) alertWebhook->wake();
    });
    PeriodicTask alertRules(std::chrono::seconds(config.alerts.intervalSeconds),
                            [&alerts] { alerts.evaluateOnce(); });
    AdminRoutesContext adminRoutes{config,
                                   **database,
                                   alerts,
                                   members,
                                   **devices,
                                   startedAt,
                                   [&crmPausedReason] { return crmPausedReason().has_value(); },
                                   reloadTokens,
                                   [&](const std::string& topic) {
                                       if (topic == "receipt" && receiptSync) receiptSync->wake();
                                       if (topic == "signup" && signupSync) signupSync->wake();
                                       if (topic == "erasure" && erasureSync) erasureSync->wake();
                                       if (topic == "alert" && alertWebhook) alertWebhook->wake();
                                   }};
    addAdminRoutes(router, adminRoutes);
    // The kiosk page and its sessions: the page holds a cookie, never a token.
    KioskAssets kioskAssets(kioskUiDirectory(config.kiosk), kLojalVersion);
    KioskSessions kioskSessions(
        {std::chrono::seconds(config.kiosk.memberIdleSeconds), std::chrono::hours(24), 256});
    KioskRoutesContext kioskRoutes{config,  kioskAssets, kioskSessions, otp,
                                   members, signups,     receipts,      events};
    if (config.kiosk.enabled) addKioskRoutes(router, kioskRoutes);
    ApiServer server(config.server, router, tokenRegistry, metrics);
    if (config.kiosk.enabled) {
        server.setSessionAuthenticator(
            [&kioskSessions](const std::string& id,
                             const std::string& peer) -> std::optional<Caller> {
                if (!kioskSessions.valid(id, KioskSessions::Clock::now())) return std::nullopt;
                return Caller{"kiosk@" + peer, Role::kiosk};
            });
    }
    system.server = &server;
    system.extraGauges = [&] {
        std::vector<Gauge> gauges = (*devices)->gauges();
        for (const auto& [outcome, count] : smsWorker.counters()) {
            gauges.emplace_back("lojal_sms_total", "SMS outcomes: sent, retried, failed, dlr_*.",
                                static_cast<double>(count), promLabel("outcome", outcome),
                                "counter");
        }
        if (receiptSync) {
            for (Gauge& gauge : receiptSync->gauges()) gauges.push_back(std::move(gauge));
            for (Gauge& gauge : signupSync->gauges()) gauges.push_back(std::move(gauge));
            for (Gauge& gauge : erasureSync->gauges()) gauges.push_back(std::move(gauge));
        }
        for (Gauge& gauge : members.gauges()) gauges.push_back(std::move(gauge));
        for (Gauge& gauge : server.gauges()) gauges.push_back(std::move(gauge));
        gauges.emplace_back("lojal_event_streams", "/v1/events WebSockets open.",
                            static_cast<double>(eventStreams.openStreams()));
#ifndef _WIN32
        if (camera) {
            for (Gauge& gauge : camera->gauges()) gauges.push_back(std::move(gauge));
            gauges.emplace_back("lojal_camera_streams", "/v1/camera WebSockets open.",
                                static_cast<double>(cameraStreams->openStreams()));
        }
#endif
        gauges.emplace_back("lojal_receipts_purged_total",
                            "Synced receipts deleted after the retention period.",
                            static_cast<double>(receiptsPurged.load()), "", "counter");
        {
            std::lock_guard lock(purgedMutex);
            for (const char* kind : {"signups", "consents", "sms", "otp", "members"}) {
                const auto found = personalRowsPurged.find(kind);
                gauges.emplace_back(
                    "lojal_personal_rows_purged_total",
                    "Rows of personal data deleted after their retention period, by kind.",
                    static_cast<double>(found == personalRowsPurged.end() ? 0 : found->second),
                    promLabel("kind", kind), "counter");
            }
        }
        for (Gauge& gauge : alerts.gauges()) gauges.push_back(std::move(gauge));
        for (const auto& [code, count] : signups.refusals()) {
            gauges.emplace_back("lojal_signup_refusals_total", "Sign-ups refused, by error code.",
                                static_cast<double>(count), promLabel("code", code), "counter");
        }
        return gauges;
    };

    eventStreams.start();
#ifndef _WIN32
    if (camera) {
        camera->start();
        cameraStreams->start();
    }
#endif
    if (auto started = server.start(); !started) {
        return fail(log, config.log, started.error().message, EXIT_OSERR);
    }
    (*devices)->start();
    smsWorker.start();
    if (receiptSync) receiptSync->start();
    if (signupSync) signupSync->start();
    if (erasureSync) erasureSync->start();
    if (connector) memberSync.start();
    if (connector) crmProbe.start();
    retention.start();
    if (alertWebhook) alertWebhook->start();
    alertRules.start();
    for (const auto& address : config.server.listen) {
        log.notice("lojald API listening on http://%s", address.toString());
    }

#ifdef _WIN32
    waitForTerminationRequest();  // Ctrl-C, or the service manager's stop
#else
    waitForSignals([&] { (void)reloadTokens(); });
#endif

    log.notice("stopping: no new connections; %d request(s) in flight", server.inFlight());
    events.close();  // the streams close with 1001 "lojald is stopping"
    server.stop();
    eventStreams.stop();
#ifndef _WIN32
    if (camera) {
        cameraStreams->stop();
        camera->stop();
    }
#endif
    (*devices)->stop();
    smsWorker.stop();
    if (receiptSync) receiptSync->stop();
    if (signupSync) signupSync->stop();
    if (erasureSync) erasureSync->stop();
    memberSync.stop();
    crmProbe.stop();
    retention.stop();
    alertRules.stop();
    if (alertWebhook) alertWebhook->stop();
    database->reset();  // closes SQLite, checkpointing the write-ahead log
    log.notice("stopped");
    return EXIT_OK;
}

}  // namespace lojal
