#include "registration/outcome_routes.hpp"

#include "core/time_format.hpp"
#include "net/http_errors.hpp"
#include "net/query_params.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <spdlog/spdlog.h>

#include <ctime>

namespace tzr::registration {
namespace {

namespace bj = boost::json;
using net::HttpRequest;
using net::HttpResponse;
using net::int_param;
using Awaitable = boost::asio::awaitable<HttpResponse>;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string date_of(std::int64_t day) { return iso_utc(day * 86400).substr(0, 10); }

bool valid_code(std::string_view c) {
  if (c.empty() || c.size() > kMaxOutcomeCode) return false;
  for (char ch : c)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  return true;
}

Result<OutcomeFilter> filter_of(const HttpRequest& req) {
  OutcomeFilter f;
  if (auto code = req.query_param("code"); code && !code->empty()) {
    if (!valid_code(*code)) return net::bad_param("code", "must be 1 to 64 of a-z, 0-9, _");
    f.code = *code;
  }
  auto from = int_param(req, "from", 0, 0, std::int64_t{1} << 40);
  if (!from) return from.error();
  auto to = int_param(req, "to", unix_now() + 1, 1, std::int64_t{1} << 40);
  if (!to) return to.error();
  if (*from >= *to) return net::bad_param("from", "must be before to");
  auto limit = int_param(req, "limit", 50, 1, 200);
  if (!limit) return limit.error();
  if (auto after = req.query_param("after"); after && !after->empty()) {
    auto id = int_param(req, "after", 0, 1, std::numeric_limits<std::int64_t>::max());
    if (!id) return id.error();
    f.before_id = *id;
  }
  f.from = *from;
  f.to = *to;
  f.limit = *limit;
  return f;
}

Error storage_down() { return Error::unavailable("db_unavailable", "the outcome store is unavailable, try again later"); }

}  // namespace

void add_outcome_routes(net::Router& router, OutcomeRecorder& recorder, BlockingPool& blocking) {
  router.get("/admin/registrations/outcomes", [&recorder, &blocking](HttpRequest& req) -> Awaitable {
    auto f = filter_of(req);
    if (!f) co_return net::error_response(f.error(), req.request_id);
    OutcomeFilter asked = *f;
    asked.limit += 1;  // one more tells whether there is a next page
    auto rows = co_await blocking.run([&recorder, &asked]() -> Result<std::vector<RegistrationOutcome>> {
      (void)recorder.flush();  // a failed write shows as a failed read below
      return recorder.store().recent(asked);
    });
    if (!rows) co_return net::error_response(storage_down(), req.request_id);
    const bool more = static_cast<std::int64_t>(rows->size()) > f->limit;
    if (more) rows->resize(static_cast<std::size_t>(f->limit));
    bj::array items;
    for (const auto& o : *rows)
      items.push_back(bj::object{{"id", o.id}, {"at", iso_utc(o.at)}, {"at_unix", o.at}, {"code", o.code},
                                 {"login", o.login}, {"source", o.source}, {"duration_ms", o.duration_ms}});
    bj::object out{{"ok", true},
                   {"code", f->code ? bj::value(*f->code) : bj::value(nullptr)},
                   {"from", f->from},
                   {"to", f->to},
                   {"limit", f->limit},
                   {"items", std::move(items)},
                   {"next_cursor", more ? bj::value(std::to_string(rows->back().id)) : bj::value(nullptr)}};
    co_return HttpResponse::json(200, out);
  });

  router.get("/admin/registrations/summary", [&recorder, &blocking](HttpRequest& req) -> Awaitable {
    auto days = int_param(req, "days", 7, 1, 90);
    if (!days) co_return net::error_response(days.error(), req.request_id);
    auto until = int_param(req, "until", unix_now(), 1, std::int64_t{1} << 40);
    if (!until) co_return net::error_response(until.error(), req.request_id);
    // The UTC days ending with the day of `until` (today included, partial).
    const std::int64_t last = *until / 86400, first = last - *days + 1;
    auto rows = co_await blocking.run([&recorder, first, last]() -> Result<std::vector<DayCount>> {
      (void)recorder.flush();
      return recorder.store().day_counts(first * 86400, (last + 1) * 86400);
    });
    if (!rows) co_return net::error_response(storage_down(), req.request_id);
    const OutcomeSummary s = summarize(*rows, first, *days);
    bj::array by_code, by_day;
    for (const auto& c : s.by_code)
      by_code.push_back(bj::object{{"code", c.code}, {"count", c.count},
                                   {"share", static_cast<double>(c.count) / static_cast<double>(s.total)}});
    std::int64_t ok_total = 0;
    for (const auto& d : s.by_day) {
      bj::object codes;
      for (const auto& [code, n] : d.by_code) codes[code] = n;
      const auto ok = d.by_code.count("ok") ? d.by_code.at("ok") : 0;
      ok_total += ok;
      by_day.push_back(bj::object{{"date", date_of(d.day)}, {"total", d.total}, {"ok", ok}, {"failed", d.total - ok},
                                  {"by_code", std::move(codes)}});
    }
    bj::object out{{"ok", true},
                   {"period_days", *days},
                   {"date_from", date_of(first)},
                   {"date_to", date_of(last)},
                   {"day", "UTC"},
                   {"total", s.total},
                   {"ok_count", ok_total},
                   {"failed_count", s.total - ok_total},
                   {"by_code", std::move(by_code)},
                   {"by_day", std::move(by_day)},
                   {"dropped_since_start", recorder.dropped()}};
    co_return HttpResponse::json(200, out);
  });
}

void start_outcome_writer(boost::asio::any_io_executor executor, OutcomeRecorder& recorder, BlockingPool& blocking,
                          std::int64_t retention_days, std::chrono::milliseconds every) {
  boost::asio::co_spawn(
      executor,
      [&recorder, &blocking, retention_days, every, executor]() -> boost::asio::awaitable<void> {
        boost::asio::steady_timer timer(executor);
        auto next_prune = std::chrono::steady_clock::now();
        bool warned = false;
        for (;;) {
          const bool prune = std::chrono::steady_clock::now() >= next_prune;
          auto st = co_await blocking.run([&recorder, prune, retention_days]() -> Status {
            Status written = recorder.flush();
            if (prune) {
              auto pruned = recorder.store().prune_before(unix_now() - retention_days * 86400);
              if (pruned && *pruned > 0) spdlog::info("registration: pruned {} outcomes older than {} days", *pruned, retention_days);
            }
            return written;
          });
          if (prune) next_prune = std::chrono::steady_clock::now() + std::chrono::hours(1);
          // Once per outage, not once per second.
          if (!st && !warned) spdlog::warn("registration: outcomes not written yet ({}); they stay queued", st.error().code);
          warned = !st;
          timer.expires_after(every);
          auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
          if (ec) co_return;
        }
      },
      boost::asio::detached);
}

}  // namespace tzr::registration
