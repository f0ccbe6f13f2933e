#include "app/ConfigCheck.h"

#include "core/Paths.h"
#include "devices/DeviceManager.h"
#include "events/EventRing.h"

namespace lojal {

Result<SmsTemplates> loadTemplatesFor(const Config& config) {
    const std::string longestLink = config.signup.baseUrl + "/j/" + std::string(30, 'x');
    // Empty: the Windows build's default, the sms folder the package puts
    // beside lojald.exe.
    const std::string directory = config.sms.templatesDirectory.empty()
                                      ? executableDirectory() + "sms"
                                      : config.sms.templatesDirectory;
    return SmsTemplates::load(directory, static_cast<size_t>(config.sms.maxSegments),
                              {{"signup", {{"store", config.store.name}, {"link", longestLink}}},
                               {"otp", {{"code", "000000"}}}});
}

Result<Config> checkConfigFile(const std::string& path) {
    auto config = loadConfigFile(path);
    if (!config) return config.error();
    EventRing events(16);
    if (auto devices = DeviceManager::create(*config, events); !devices) return devices.error();
    if (auto templates = loadTemplatesFor(*config); !templates) return templates.error();
    return config;
}

}  // namespace lojal
