#pragma once
// POST /v1/receipts and GET /v1/receipts/{id}.

#include "api/Router.h"
#include "receipts/ReceiptService.h"

namespace lojal {
void addReceiptRoutes(Router& router, ReceiptService& receipts);
}
