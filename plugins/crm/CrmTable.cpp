#include "CrmConnector.h"
#include "rest/RestConnector.h"

namespace lojal::crm {

const std::map<std::string, ConnectorEntry>& connectorTable() {
    static const std::map<std::string, ConnectorEntry> table = {
        {"rest", {"rest", createRestConnector}},
    };
    return table;
}

}  // namespace lojal::crm
