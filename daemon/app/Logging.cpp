#include "app/Logging.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/FileChannel.h>
#include <Poco/Formatter.h>
#include <Poco/FormattingChannel.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#ifdef _WIN32
#include <Poco/EventLogChannel.h>
#else
#include <Poco/SyslogChannel.h>
#endif

#include <cstdlib>
#include <sstream>

#include "core/PosixFiles.h"

namespace lojal {

namespace {

// Lower case for JSON (the names log.level takes); capitalised in text, as
// lines looked before JSON existed.
std::string levelName(Poco::Message::Priority priority, bool capitalised = false) {
    std::string name = logLevelName(static_cast<int>(priority));
    if (capitalised) name[0] = static_cast<char>(name[0] - 'a' + 'A');
    return name;
}

// Poco's priorities 1 (fatal) .. 8 (trace) -> syslog's 0 (emerg) .. 7 (debug).
int syslogPriority(Poco::Message::Priority priority) {
    static const int map[] = {2, 2, 3, 4, 5, 6, 7, 7};
    const int index = static_cast<int>(priority) - 1;
    return index >= 0 && index < 8 ? map[index] : 6;
}

class LineFormatter : public Poco::Formatter {
  public:
    LineFormatter(LogFormat format, bool priorityPrefix, bool withTime)
        : format_(format), priorityPrefix_(priorityPrefix), withTime_(withTime) {}
    void format(const Poco::Message& message, std::string& text) override {
        text = withTime_ ? formatLogLine(message, format_, priorityPrefix_) : withoutTime(message);
    }

  private:
    // Syslog stamps time and severity itself.
    std::string withoutTime(const Poco::Message& message) const {
        if (format_ == LogFormat::text) return message.getSource() + ": " + message.getText();
        return formatLogLine(message, format_, false);
    }
    LogFormat format_;
    bool priorityPrefix_;
    bool withTime_;
};

}  // namespace

std::string formatLogLine(const Poco::Message& message, LogFormat format, bool priorityPrefix) {
    std::string line;
    if (priorityPrefix)
        line.append("<").append(std::to_string(syslogPriority(message.getPriority()))).append(">");
    const std::string time =
        Poco::DateTimeFormatter::format(message.getTime(), "%Y-%m-%dT%H:%M:%S.%iZ");
    if (format == LogFormat::text) {
        // Kept as it was before JSON: people and their greps know this shape.
        line.append(Poco::DateTimeFormatter::format(message.getTime(), "%Y-%m-%d %H:%M:%S.%i"))
            .append(" ")
            .append(levelName(message.getPriority(), true))
            .append(" ")
            .append(message.getSource())
            .append(": ")
            .append(message.getText());
        return line;
    }
    Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
    object.set("time", time);
    object.set("level", levelName(message.getPriority()));
    object.set("logger", message.getSource());
    object.set("message", message.getText());
    object.set("pid", static_cast<Poco::Int64>(message.getPid()));
    if (!message.getThread().empty()) object.set("thread", message.getThread());
    std::ostringstream json;
    object.stringify(json);  // escapes control characters: one object, one line
    return line + json.str();
}

bool stderrIsJournal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (!stream) return false;
    struct stat info {};
    if (::fstat(2, &info) != 0) return false;
    const std::string expected = std::to_string(info.st_dev) + ":" + std::to_string(info.st_ino);
    return expected == stream;
}

Status configureLogging(const LogConfig& config) {
    try {
        Poco::AutoPtr<Poco::Channel> sink;
        bool priorityPrefix = false;
        bool withTime = true;
        switch (config.target) {
            case LogTarget::console:
                sink = new Poco::ConsoleChannel;
                priorityPrefix = stderrIsJournal();
                break;
            case LogTarget::journal:
                sink = new Poco::ConsoleChannel;
                priorityPrefix = true;
                break;
            case LogTarget::syslog:
#ifndef _WIN32
                sink = new Poco::SyslogChannel("lojald", Poco::SyslogChannel::SYSLOG_PID,
                                               Poco::SyslogChannel::SYSLOG_DAEMON);
#endif
                withTime = false;
                break;
            case LogTarget::eventlog:
#ifdef _WIN32
                sink = new Poco::EventLogChannel("lojald");
#endif
                withTime = false;  // the event log stamps each entry
                break;
            case LogTarget::file: {
                Poco::AutoPtr<Poco::FileChannel> file(new Poco::FileChannel(config.file));
                file->setProperty("rotation", "10 M");
                file->setProperty("archive", "number");
                file->setProperty("purgeCount", "5");
                file->open();  // fail now, naming the file, rather than at the first message
                ::chmod(config.file.c_str(), 0600);  // also a file an older lojald left 0644
                sink = file;
                break;
            }
        }
        Poco::AutoPtr<Poco::Formatter> formatter(
            new LineFormatter(config.format, priorityPrefix, withTime));
        Poco::AutoPtr<Poco::FormattingChannel> channel(
            new Poco::FormattingChannel(formatter, sink));
        Poco::Logger::root().setChannel(channel);
        Poco::Logger::setChannel("", channel);
        Poco::Logger::setLevel("", Poco::Logger::parseLevel(config.level));
    } catch (const Poco::Exception& e) {
        return Error{ErrorCode::io, "cannot set up logging: " + e.displayText()};
    }
    return okStatus();
}

}  // namespace lojal
