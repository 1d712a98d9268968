#pragma once
// The shop HTTP API (port 8085, shop.md §5 paths kept). Lists share one envelope:
// {"items":[…],"total":n,"page":p,"limit":l,"offset":o}; times are UTC ISO-8601 with "Z";
// errors are the project's one error body. Admin routes are guarded by the service's bearer
// middleware (see features.cpp).
#include "net/router.hpp"
#include "shop/shop_service.hpp"

namespace tzr::shop {

// service must outlive the router.
void add_shop_routes(net::Router& router, ShopService& service, storage::Database& db);

}  // namespace tzr::shop
