#pragma once

#include <Poco/Util/ServerApplication.h>

#include <optional>
#include <string>

namespace lojal {

// The service: reads the config, opens the store, serves the API until SIGTERM or
// SIGINT, then shuts down in order (API, workers, database).
class Lojald : public Poco::Util::ServerApplication {
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
