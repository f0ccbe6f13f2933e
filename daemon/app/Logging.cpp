#include "app/Logging.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FileChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>
#include <Poco/SyslogChannel.h>
#include <sys/stat.h>

namespace lojal {

Status configureLogging(const LogConfig& config) {
    try {
        Poco::AutoPtr<Poco::Channel> sink;
        std::string pattern = "%Y-%m-%d %H:%M:%S.%i %p %s: %t";
        switch (config.target) {
            case LogTarget::console: sink = new Poco::ConsoleChannel; break;
            case LogTarget::syslog:
                sink = new Poco::SyslogChannel("lojald", Poco::SyslogChannel::SYSLOG_PID,
                                               Poco::SyslogChannel::SYSLOG_DAEMON);
                pattern = "%s: %t";  // syslog adds time and severity itself
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
        Poco::AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter(pattern));
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
