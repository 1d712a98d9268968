#pragma once
// The window, page and envelope head shared by the analytics list routes of the battles port
// (aggregate_routes.cpp, rating_routes.cpp): `days` and `until` (Unix seconds, default now) select
// battles ending in [until − days·86400, until); `limit` and `offset` page a sorted list; lists
// answer {ok, period_days, window_start, window_end, generated_at, total, offset, limit,
// next_offset, items}.
#include "antibot/aggregates.hpp"
#include "core/error.hpp"
#include "net/http_types.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <vector>

namespace tzr::antibot {

std::int64_t unix_now_seconds();

struct ListWindow {
  int days = 30;
  std::int64_t until = 0;
  TimeWindow span() const { return {until - std::int64_t{days} * 86400, until}; }
};
Result<ListWindow> list_window(const net::HttpRequest& req, int fallback_days, int lo = 1, int hi = 365);

struct ListPage {
  std::int64_t limit = 0, offset = 0;
};
Result<ListPage> list_page(const net::HttpRequest& req, std::int64_t fallback_limit, std::int64_t max_limit);

// num / den, or null without a denominator (a rate of nothing is not 0).
boost::json::value ratio(std::int64_t num, std::int64_t den);

// ok, period_days, the window, generated_at.
boost::json::object list_head(const ListWindow& w);

// Items [offset, offset + limit) of a sorted list, with total and next_offset.
template <class T, class F>
void put_page(boost::json::object& o, const std::vector<T>& all, const ListPage& p, F&& to_json) {
  boost::json::array items;
  const auto from = static_cast<std::size_t>(p.offset), to = from + static_cast<std::size_t>(p.limit);
  for (std::size_t i = from; i < all.size() && i < to; ++i) items.push_back(to_json(all[i], i));
  o["total"] = all.size();
  o["offset"] = p.offset;
  o["limit"] = p.limit;
  o["next_offset"] = to < all.size() ? boost::json::value(static_cast<std::int64_t>(to)) : boost::json::value(nullptr);
  o["items"] = std::move(items);
}

}  // namespace tzr::antibot
