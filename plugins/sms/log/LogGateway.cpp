#include "log/LogGateway.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>

#include <cctype>
#include "core/PosixFiles.h"

namespace lojal::sms {
namespace {

std::string maskedNumber(const std::string& to) {
    return to.size() > 3 ? std::string(to.size() - 3, '*') + to.substr(to.size() - 3) : "***";
}

class LogGateway : public SmsGateway {
  public:
    explicit LogGateway(std::string file) : file_(std::move(file)) {}

    SendOutcome send(const OutgoingSms& message) override {
        Poco::Logger::get("lojal.sms.log")
            .information("SMS %s to %s: %s", std::to_string(message.id), maskedNumber(message.to),
                         maskedSmsText(message.text));
        if (!file_.empty()) writeWhole(message);
        return {SendOutcome::Kind::accepted, "log-" + std::to_string(message.id), "", 0};
    }

  private:
    // One line per message, appended; the file is the developer's, mode 0600.
    void writeWhole(const OutgoingSms& message) const {
        const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0) {
            Poco::Logger::get("lojal.sms.log").warning("cannot write %s", file_);
            return;
        }
        ::fchmod(fd, 0600);  // also when it existed with wider rights
        const std::string line =
            Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y-%m-%dT%H:%M:%SZ") + " SMS " +
            std::to_string(message.id) + " to " + message.to + ": " + message.text + "\n";
        (void)!::write(fd, line.data(), line.size());
        ::close(fd);
    }

    std::string file_;
};

}  // namespace

std::string maskedSmsText(std::string_view text) {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
        if (text.compare(i, 7, "http://") == 0 || text.compare(i, 8, "https://") == 0) {
            const size_t hostStart = text.find("//", i) + 2;
            size_t end = hostStart;
            while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
            const size_t slash = text.find('/', hostStart);
            if (slash != std::string_view::npos && slash < end) {
                out.append(text.substr(i, slash - i));
                out += "/\xE2\x80\xA6";  // "/…": the path and its token are not logged
            } else {
                out.append(text.substr(i, end - i));
            }
            i = end;
            continue;
        }
        if (std::isdigit(static_cast<unsigned char>(text[i]))) {
            size_t end = i;
            while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
            if (end - i >= 4)
                out.append(end - i, '*');
            else
                out.append(text.substr(i, end - i));
            i = end;
            continue;
        }
        out += text[i++];
    }
    return out;
}

std::unique_ptr<SmsGateway> createLogGateway(const GatewaySettings& settings) {
    return std::make_unique<LogGateway>(settings.logFile);
}

}  // namespace lojal::sms
