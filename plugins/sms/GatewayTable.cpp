#include "SmsGateway.h"
#include "http/HttpGateway.h"
#include "kannel/KannelGateway.h"
#include "log/LogGateway.h"

namespace lojal::sms {

const std::map<std::string, GatewayEntry>& gatewayTable() {
    static const std::map<std::string, GatewayEntry> table = {
        {"log", {"log", createLogGateway}},
        {"kannel", {"kannel", createKannelGateway}},
        {"http", {"http", createHttpGateway}},
    };
    return table;
}

}  // namespace lojal::sms
