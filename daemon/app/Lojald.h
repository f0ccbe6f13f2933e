#pragma once

#include <Poco/Util/ServerApplication.h>

#include <optional>
#include <string>

namespace lojal {

// The service: reads the config, opens the store, serves the API until SIGTERM or
// SIGINT, then shuts down in order (API, workers, database).
class Lojald : public Poco::Util::ServerApplication {
  public:
    // --option style on Windows too (Poco's default there is /option): one
    // syntax for docs and scripts. The service options are then
    // --registerService, --unregisterService, --startup=automatic.
    Lojald() { setUnixOptions(true); }

  protected:
    void defineOptions(Poco::Util::OptionSet& options) override;
    int main(const std::vector<std::string>& args) override;

  private:
    void handleConfig(const std::string& name, const std::string& value);
    void handleFlag(const std::string& name, const std::string& value);

    std::optional<std::string> configPath_;
    bool checkOnly_ = false;
    bool showHelp_ = false;
    bool showVersion_ = false;
};

}  // namespace lojal
