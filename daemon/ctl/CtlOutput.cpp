#include "ctl/CtlOutput.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <sstream>

#include "outbox/Outbox.h"

namespace lojal::ctl {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// A field as text whatever its JSON type ("" when absent).
std::string text(const Object& object, const std::string& key) {
    if (!object.has(key)) return "";
    const Poco::Dynamic::Var value = object.get(key);
    if (value.isEmpty()) return "";
    if (value.isBoolean()) return value.extract<bool>() ? "yes" : "no";
    return value.convert<std::string>();
}

int64_t number(const Object& object, const std::string& key) {
    if (!object.has(key)) return 0;
    try {
        return object.get(key).convert<int64_t>();
    } catch (const Poco::Exception&) {
        return 0;
    }
}

Array::Ptr array(const Object& object, const std::string& key) {
    return object.has(key) ? object.getArray(key) : Array::Ptr(new Array);
}

Object::Ptr child(const Object& object, const std::string& key) {
    return object.has(key) ? object.getObject(key) : Object::Ptr(new Object);
}

std::string bytes(int64_t value) {
    std::ostringstream out;
    out.precision(1);
    out << std::fixed;
    if (value >= 1024LL * 1024 * 1024)
        out << static_cast<double>(value) / (1024.0 * 1024 * 1024) << " GiB";
    else if (value >= 1024 * 1024)
        out << static_cast<double>(value) / (1024.0 * 1024) << " MiB";
    else
        out << static_cast<double>(value) / 1024.0 << " KiB";
    return out.str();
}

std::string alertRows(const Array& alerts) {
    if (alerts.size() == 0) return "no alerts\n";
    std::vector<std::vector<std::string>> rows = {{"SEVERITY", "ALERT", "SINCE", "MESSAGE"}};
    for (size_t i = 0; i < alerts.size(); ++i) {
        const Object::Ptr alert = alerts.getObject(static_cast<unsigned>(i));
        rows.push_back({text(*alert, "severity"), text(*alert, "id"), text(*alert, "since"),
                        text(*alert, "message")});
    }
    return table(rows);
}

std::string deviceRows(const Array& devices) {
    if (devices.size() == 0) return "no devices configured\n";
    std::vector<std::vector<std::string>> rows = {{"DEVICE", "DRIVER", "PORT", "STATE", "SINCE"}};
    for (size_t i = 0; i < devices.size(); ++i) {
        const Object::Ptr device = devices.getObject(static_cast<unsigned>(i));
        std::string state = text(*device, "state");
        if (!text(*device, "reason").empty()) state += " (" + text(*device, "reason") + ")";
        rows.push_back({text(*device, "name"), text(*device, "driver"), text(*device, "port"),
                        state, text(*device, "since")});
    }
    return table(rows);
}

}  // namespace

std::string table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()));
        for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
        }
        out += line + "\n";
    }
    return out;
}

std::string duration(int64_t seconds) {
    if (seconds < 60) return std::to_string(seconds) + " s";
    if (seconds < 3600) return std::to_string(seconds / 60) + " min";
    if (seconds < 86400)
        return std::to_string(seconds / 3600) + " h " + std::to_string(seconds % 3600 / 60) +
               " min";
    return std::to_string(seconds / 86400) + " d " + std::to_string(seconds % 86400 / 3600) + " h";
}

std::string statusText(const Object& status) {
    const Object::Ptr database = child(status, "database");
    const Object::Ptr crm = child(status, "crm");
    std::string listeners;
    const Array::Ptr listen = array(status, "listeners");
    for (size_t i = 0; i < listen->size(); ++i)
        listeners += (i ? ", " : "") + listen->getElement<std::string>(static_cast<unsigned>(i));
    std::string crmLine = text(*crm, "state");
    if (text(*crm, "sync") == "yes") crmLine += " (" + text(*crm, "connector") + ")";
    if (text(*crm, "paused") == "yes") crmLine += ", PAUSED: the CRM refuses the API key";
    std::string out = table({
        {"lojald", text(status, "version") + ", store " + text(status, "store_id") + ", up " +
                       duration(number(status, "uptime_seconds")) + ", log level " +
                       text(status, "log_level")},
        {"database", text(*database, "path") + ", " + bytes(number(*database, "size_bytes")) +
                         ", schema " + text(*database, "schema_version") + ", " +
                         text(*database, "state")},
        {"listening", listeners},
        {"CRM", crmLine},
    });
    out += "\n";
    std::vector<std::vector<std::string>> queues = {{"QUEUE", "BACKLOG", "OLDEST", "DEAD"}};
    const Object::Ptr byTopic = child(status, "queues");
    for (const std::string& topic : outboxTopics()) {
        const Object::Ptr queue = child(*byTopic, topic);
        const int64_t backlog = number(*queue, "backlog");
        queues.push_back({topic, std::to_string(backlog),
                          backlog > 0 ? duration(number(*queue, "oldest_age_seconds")) : "-",
                          std::to_string(number(*queue, "dead"))});
    }
    out += table(queues) + "\n" + deviceRows(*array(status, "devices")) + "\n" +
           alertRows(*array(status, "alerts"));
    return out;
}

std::string alertsText(const Object& answer) {
    return alertRows(*array(answer, "alerts"));
}

std::string devicesText(const Object& answer) {
    return deviceRows(*array(answer, "devices"));
}

std::string queueText(const Object& answer) {
    const Array::Ptr items = array(answer, "items");
    if (items->size() == 0) return "no items\n";
    std::vector<std::vector<std::string>> rows = {
        {"ID", "TOPIC", "KEY", "STATE", "ATTEMPTS", "UPDATED", "LAST ERROR"}};
    for (size_t i = 0; i < items->size(); ++i) {
        const Object::Ptr item = items->getObject(static_cast<unsigned>(i));
        rows.push_back({text(*item, "id"), text(*item, "topic"), text(*item, "key"),
                        text(*item, "state"), text(*item, "attempts"), text(*item, "updated_at"),
                        text(*item, "last_error")});
    }
    return table(rows);
}

std::string queueItemText(const Object& item) {
    std::vector<std::vector<std::string>> rows;
    for (const char* key :
         {"id", "topic", "key", "state", "attempts", "created_at", "updated_at", "last_error"})
        rows.push_back({key, text(item, key)});
    return table(rows);
}

std::string retriedText(const Object& answer) {
    const int64_t count = number(answer, "requeued");
    return std::to_string(count) + (count == 1 ? " item" : " items") + " queued again\n";
}

std::string erasedText(const Object& answer) {
    std::string out;
    if (answer.has("member_id")) out += "member " + text(answer, "member_id") + "\n";
    if (answer.has("member_ids")) {
        const Array::Ptr ids = array(answer, "member_ids");
        out += ids->size() == 0 ? std::string("no cached member had this number\n")
                                : "members: " + std::to_string(ids->size()) + "\n";
    }
    out += table({{"cached member rows removed", text(answer, "cached_members")},
                  {"receipts whose member was removed", text(answer, "receipts_stripped")},
                  {"sign-up, consent, PIN and SMS rows removed", text(answer, "personal_rows")}});
    return out;
}

std::string logLevelText(const Object& answer) {
    return "log level is now " + text(answer, "level") + "\n";
}

Object::Ptr joinPortsWithDevices(const Object& ports, const Object& devices) {
    // Pointers throughout: Poco's getArray/getObject find only what was stored as one.
    Object::Ptr joined(new Object);
    Array::Ptr list(new Array);
    const Array::Ptr portList = array(ports, "ports");
    const Array::Ptr deviceList = array(devices, "devices");
    for (size_t i = 0; i < portList->size(); ++i) {
        const Object::Ptr port = portList->getObject(static_cast<unsigned>(i));
        Object::Ptr item(new Object(*port));
        Array::Ptr names(new Array);
        for (size_t j = 0; j < deviceList->size(); ++j) {
            const Object::Ptr device = deviceList->getObject(static_cast<unsigned>(j));
            const std::string where = text(*device, "port");
            const bool byPath = where == text(*port, "name");
            const bool byUsb = !text(*port, "usb").empty() && where == "usb:" + text(*port, "usb");
            if (byPath || byUsb) names->add(text(*device, "name"));
        }
        item->set("devices", names);
        list->add(item);
    }
    joined->set("ports", list);
    return joined;
}

std::string portsText(const Object& joined) {
    const Array::Ptr ports = array(joined, "ports");
    if (ports->size() == 0) return "no serial ports found\n";
    std::vector<std::vector<std::string>> rows = {{"PORT", "USB", "DESCRIPTION", "DEVICE"}};
    for (size_t i = 0; i < ports->size(); ++i) {
        const Object::Ptr port = ports->getObject(static_cast<unsigned>(i));
        const Array::Ptr names = array(*port, "devices");
        std::string used;
        for (size_t j = 0; j < names->size(); ++j)
            used += (j ? ", " : "") + names->getElement<std::string>(static_cast<unsigned>(j));
        rows.push_back({text(*port, "name"), text(*port, "usb").empty() ? "-" : text(*port, "usb"),
                        text(*port, "description"), used.empty() ? "-" : used});
    }
    return table(rows);
}

std::string tokensTable(const std::vector<ApiToken>& tokens) {
    if (tokens.empty()) return "no tokens in the tokens file\n";
    std::vector<std::vector<std::string>> rows = {{"NAME", "ROLE", "HASH"}};
    for (const ApiToken& token : tokens)
        rows.push_back({token.name, toString(token.role), token.sha256Hex.substr(0, 12) + "..."});
    return table(rows);
}

std::string tokensJson(const std::vector<ApiToken>& tokens) {
    Array list;
    for (const ApiToken& token : tokens) {
        Object item;
        item.set("name", token.name);
        item.set("role", std::string(toString(token.role)));
        list.add(item);
    }
    Object body;
    body.set("tokens", list);
    std::ostringstream out;
    body.stringify(out, 2);
    return out.str() + "\n";
}

std::string backupText(const BackupReport& report, const std::string& file,
                       const std::string& verb) {
    return verb + " " + file + ": " + bytes(report.bytes) + ", schema " +
           std::to_string(report.schemaVersion) + ", " + std::to_string(report.receipts) +
           " receipts, integrity ok, " + std::to_string(report.milliseconds) + " ms\n";
}

std::string backupJson(const BackupReport& report, const std::string& file) {
    Object body;
    body.set("file", file);
    body.set("bytes", report.bytes);
    body.set("schema_version", report.schemaVersion);
    body.set("receipts", report.receipts);
    body.set("milliseconds", report.milliseconds);
    body.set("integrity", "ok");
    std::ostringstream out;
    body.stringify(out, 2);
    return out.str() + "\n";
}

}  // namespace lojal::ctl
