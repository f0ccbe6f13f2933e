#include "ctl/CtlCommand.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace lojal::ctl {

namespace {

struct Spec {
    const char* command;
    const char* sub;  // "" when the command has none
    size_t minPositionals;
    size_t maxPositionals;
    std::set<std::string> valueOptions;
    std::set<std::string> flags;
};

const std::vector<Spec>& specs() {
    static const std::vector<Spec> all = {
        {"status", "", 0, 0, {}, {}},
        {"alerts", "", 0, 0, {}, {}},
        {"devices", "", 0, 0, {}, {}},
        {"ports", "", 0, 0, {}, {}},
        {"queue", "list", 0, 0, {"topic", "state", "limit"}, {}},
        {"queue", "show", 1, 1, {}, {}},
        {"queue", "retry", 0, 1, {"topic"}, {"all-dead"}},
        {"erase", "", 0, 0, {"phone", "member"}, {}},
        {"tokens", "add", 2, 2, {}, {}},
        {"tokens", "list", 0, 0, {}, {}},
        {"tokens", "revoke", 1, 1, {}, {}},
        {"backup", "", 1, 1, {}, {"force"}},
        {"restore", "", 1, 1, {}, {}},
        {"check-config", "", 0, 1, {}, {}},
        {"log-level", "", 1, 1, {}, {}},
    };
    return all;
}

bool hasSubs(const std::string& command) {
    return std::any_of(specs().begin(), specs().end(), [&](const Spec& spec) {
        return command == spec.command && *spec.sub != '\0';
    });
}

const Spec* findSpec(const std::string& command, const std::string& sub) {
    for (const Spec& spec : specs()) {
        if (command == spec.command && sub == spec.sub) return &spec;
    }
    return nullptr;
}

std::optional<int> parsePositive(const std::string& text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
    return value;
}

// Checks that hold between a command's arguments.
std::string checkCombination(const Invocation& in) {
    const auto has = [&](const char* name) { return in.options.count(name) > 0; };
    if (in.command == "queue" && in.sub == "retry") {
        if (in.positionals.empty() == !has("all-dead"))
            return "queue retry takes either an ID or --all-dead";
        if (has("topic") && !has("all-dead")) return "--topic goes with --all-dead";
    }
    if (in.command == "queue" && in.sub == "show" && !parsePositive(in.positionals[0]))
        return "queue show: the ID is a positive number";
    if (in.command == "queue" && in.sub == "retry" && !in.positionals.empty() &&
        !parsePositive(in.positionals[0]))
        return "queue retry: the ID is a positive number";
    if (in.command == "erase" && has("phone") == has("member"))
        return "erase takes one of --phone NUMBER or --member ID";
    return "";
}

}  // namespace

const std::vector<std::string>& commandNames() {
    static const std::vector<std::string> names = {"status",  "alerts",       "devices",  "ports",
                                                   "queue",   "erase",        "tokens",   "backup",
                                                   "restore", "check-config", "log-level"};
    return names;
}

ParseOutcome parseCommandLine(const std::vector<std::string>& args) {
    Invocation in;
    std::vector<std::string> words;
    struct CommandOption {
        std::string name;
        std::optional<std::string> next;  // the word after it, unless another option
    };
    std::vector<CommandOption> commandOptions;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        const auto value = [&](std::string& out) -> bool {
            if (i + 1 >= args.size()) return false;
            out = args[++i];
            return true;
        };
        if (arg == "--help" || arg == "-h") {
            in.help = true;
        } else if (arg == "--version") {
            in.version = true;
        } else if (arg == "--json") {
            in.json = true;
        } else if (arg == "--config" || arg == "--url" || arg == "--token-file" ||
                   arg == "--timeout-ms") {
            std::string text;
            if (!value(text) || text.empty()) return {std::nullopt, arg + " needs a value"};
            if (arg == "--config") in.configPath = text;
            if (arg == "--url") in.url = text;
            if (arg == "--token-file") in.tokenFile = text;
            if (arg == "--timeout-ms") {
                const auto ms = parsePositive(text);
                if (!ms || *ms > 600000)
                    return {std::nullopt, "--timeout-ms takes 1 to 600000 milliseconds"};
                in.timeoutMs = *ms;
            }
        } else if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
            // Whether it takes a value is known once the command is: keep the next word.
            CommandOption option{arg.substr(2), std::nullopt};
            if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) option.next = args[++i];
            commandOptions.push_back(std::move(option));
        } else {
            words.push_back(arg);
        }
    }
    if (words.empty()) {
        if (in.help || in.version) return {in, ""};
        return {std::nullopt, "no command given"};
    }
    in.command = words[0];
    if (std::find(commandNames().begin(), commandNames().end(), in.command) == commandNames().end())
        return {std::nullopt, "unknown command '" + in.command + "'"};
    size_t next = 1;
    if (hasSubs(in.command)) {
        if (words.size() < 2) {
            if (in.help) return {in, ""};
            return {std::nullopt, in.command + " needs a sub-command"};
        }
        in.sub = words[1];
        next = 2;
    }
    const Spec* spec = findSpec(in.command, in.sub);
    if (!spec) return {std::nullopt, "unknown sub-command '" + in.command + " " + in.sub + "'"};
    if (in.help) return {in, ""};
    for (const CommandOption& option : commandOptions) {
        const bool takesValue = spec->valueOptions.count(option.name) > 0;
        const bool isFlag = spec->flags.count(option.name) > 0;
        if (!takesValue && !isFlag) return {std::nullopt, "unknown option --" + option.name};
        if (takesValue && (!option.next || option.next->empty()))
            return {std::nullopt, "--" + option.name + " needs a value"};
        if (isFlag && option.next) words.push_back(*option.next);  // a positional after a flag
        in.options[option.name] = isFlag ? std::string() : *option.next;
    }
    in.positionals.assign(words.begin() + static_cast<std::ptrdiff_t>(next), words.end());
    if (in.positionals.size() < spec->minPositionals ||
        in.positionals.size() > spec->maxPositionals)
        return {std::nullopt, "wrong number of arguments"};
    if (auto problem = checkCombination(in); !problem.empty()) return {std::nullopt, problem};
    return {in, ""};
}

std::string helpText(const std::string& command) {
    static const std::map<std::string, std::string> texts = {
        {"", R"(usage: lojalctl [GLOBAL OPTIONS] COMMAND [ARGS]

Administers the lojald on this machine through its local API.

Commands:
  status                     version, uptime, database, listeners, CRM, queues, devices, alerts
  alerts                     the alerts that hold now
  devices                    configured devices and their state
  ports                      serial ports with USB ids, and the device configured on each
  queue list|show|retry      dead-lettered (or other) outbox items; send them again
  erase --phone N|--member ID  erase a customer's data (GDPR)
  tokens add|list|revoke     API tokens in the tokens file, reloaded without a restart
  backup FILE                a consistent copy of the live database
  restore FILE               put a backup in place (lojald must be stopped)
  check-config [FILE]        check a configuration as lojald would at start
  log-level LEVEL            change lojald's log level until it restarts

Global options:
  --config FILE      lojald's configuration (default /etc/lojal/lojald.ini)
  --url URL          lojald's API (default: the first listen address in the configuration)
  --token-file FILE  an admin token (default /etc/lojal/lojalctl.token)
  --json             print JSON for scripts instead of tables
  --timeout-ms N     how long to wait for lojald (default 10000)
  --help             this text; COMMAND --help for a command's

Exit codes: 0 ok, 1 refused or failed, 2 usage, 3 lojald unreachable, 4 not
authorized, 5 not found, 6 invalid configuration or tokens file, 7 lojald error.
)"},
        {"status",
         "usage: lojalctl status [--json]\n\n"
         "Version, uptime, database size and schema, API listeners, the CRM's state,\n"
         "each queue's backlog (count, oldest age) and dead letters, devices and\n"
         "active alerts. Exit 0 when lojald answers, whatever its alerts.\n"},
        {"alerts",
         "usage: lojalctl alerts [--json]\n\n"
         "The alerts that hold now, with severity, since when and what to do.\n"},
        {"devices", "usage: lojalctl devices [--json]\n\nConfigured devices and their state.\n"},
        {"ports",
         "usage: lojalctl ports [--json]\n\n"
         "Serial ports of this machine with USB VID:PID, and which configured device\n"
         "uses each.\n"},
        {"queue",
         "usage: lojalctl queue list [--state dead|queued|sending|done|all] [--topic T]\n"
         "                           [--limit N]\n"
         "       lojalctl queue show ID\n"
         "       lojalctl queue retry ID | --all-dead [--topic T]\n\n"
         "Outbox items (receipts, sign-ups, SMS, erasures, alert webhooks). list shows\n"
         "dead letters by default. retry sends dead letters again after a fix (not SMS:\n"
         "a PIN or link is stale by then); lojald logs who asked.\n"},
        {"erase",
         "usage: lojalctl erase --phone NUMBER | --member ID\n\n"
         "Erases what this store holds about a customer: cached member rows, the\n"
         "member block of their receipts, sign-ups, consents, PIN and SMS rows. Prints\n"
         "what was removed.\n"},
        {"tokens",
         "usage: lojalctl tokens add NAME ROLE\n"
         "       lojalctl tokens list\n"
         "       lojalctl tokens revoke NAME\n\n"
         "Tokens in [auth] tokens_file (hashes only). add prints the new secret once.\n"
         "Roles: pos, kiosk, admin, monitor. lojald reloads the file at once (or on\n"
         "SIGHUP); no restart.\n"},
        {"backup",
         "usage: lojalctl backup FILE [--force]\n\n"
         "Copies the live database with SQLite's online backup API while lojald keeps\n"
         "working, checks the copy's integrity and makes it 0600. --force replaces an\n"
         "existing FILE.\n"},
        {"restore",
         "usage: lojalctl restore FILE\n\n"
         "Checks FILE's integrity and copies it over the database. lojald must be\n"
         "stopped: systemctl stop lojald; lojalctl restore FILE; systemctl start lojald.\n"},
        {"check-config",
         "usage: lojalctl check-config [FILE]\n\n"
         "Checks a configuration as lojald does at start (keys, devices' driver\n"
         "options, SMS templates). Exit 6 with the problem when it is invalid.\n"},
        {"log-level",
         "usage: lojalctl log-level LEVEL\n\n"
         "fatal, critical, error, warning, notice, information, debug or trace;\n"
         "until lojald restarts.\n"},
    };
    const auto found = texts.find(command);
    return found == texts.end() ? texts.at("") : found->second;
}

}  // namespace lojal::ctl
