#include "antibot/list_params.hpp"

#include "battles/model_json.hpp"
#include "core/time_format.hpp"
#include "net/query_params.hpp"

#include <chrono>

namespace tzr::antibot {

std::int64_t unix_now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<ListWindow> list_window(const net::HttpRequest& req, int fallback_days, int lo, int hi) {
  auto days = net::int_param(req, "days", fallback_days, lo, hi);
  if (!days) return days.error();
  auto until = net::int_param(req, "until", unix_now_seconds(), 1, std::int64_t{1} << 40);
  if (!until) return until.error();
  return ListWindow{static_cast<int>(*days), *until};
}

Result<ListPage> list_page(const net::HttpRequest& req, std::int64_t fallback_limit, std::int64_t max_limit) {
  auto limit = net::int_param(req, "limit", fallback_limit, 1, max_limit);
  if (!limit) return limit.error();
  auto offset = net::int_param(req, "offset", 0, 0, 1'000'000);
  if (!offset) return offset.error();
  return ListPage{*limit, *offset};
}

boost::json::value ratio(std::int64_t num, std::int64_t den) {
  return den > 0 ? boost::json::value(static_cast<double>(num) / static_cast<double>(den)) : boost::json::value(nullptr);
}

boost::json::object list_head(const ListWindow& w) {
  return boost::json::object{{"ok", true},
                             {"period_days", w.days},
                             {"window_start", iso_utc(w.span().from)},
                             {"window_end", iso_utc(w.until)},
                             {"generated_at", iso_utc(unix_now_seconds())}};
}

}  // namespace tzr::antibot
