#pragma once
// lojalctl's human output (pure): lojald's JSON answers as aligned tables and
// short sentences. --json prints the answers themselves instead.

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

#include "config/Config.h"
#include "store/Backup.h"

namespace lojal::ctl {

// Columns padded to their widest cell; the header row first.
std::string table(const std::vector<std::vector<std::string>>& rows);

// "42 s", "3 min", "2 h 5 min", "3 d 4 h".
std::string duration(int64_t seconds);

std::string statusText(const Poco::JSON::Object& status);
std::string alertsText(const Poco::JSON::Object& answer);
std::string devicesText(const Poco::JSON::Object& answer);
std::string queueText(const Poco::JSON::Object& answer);
std::string queueItemText(const Poco::JSON::Object& item);
std::string retriedText(const Poco::JSON::Object& answer);
std::string erasedText(const Poco::JSON::Object& answer);
std::string logLevelText(const Poco::JSON::Object& answer);

// {ports: [{name, usb, description, devices: [names]}]}
Poco::JSON::Object::Ptr joinPortsWithDevices(const Poco::JSON::Object& ports,
                                             const Poco::JSON::Object& devices);
std::string portsText(const Poco::JSON::Object& joined);

std::string tokensTable(const std::vector<ApiToken>& tokens);
std::string tokensJson(const std::vector<ApiToken>& tokens);

std::string backupText(const BackupReport& report, const std::string& file,
                       const std::string& verb);
std::string backupJson(const BackupReport& report, const std::string& file);

}  // namespace lojal::ctl
