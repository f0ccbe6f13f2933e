#pragma once
// GET /v1/members/lookup, GET /v1/offers, POST /v1/members/{id}/erase.

#include "api/Router.h"
#include "members/MemberService.h"

namespace lojal {
void addMemberRoutes(Router& router, MemberService& members);
}
