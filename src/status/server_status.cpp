#include "status/server_status.hpp"

#include "net/http_errors.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

namespace tzr::status {
namespace {

boost::json::value number_or_null(const std::optional<double>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

const gamedb::Constant* find(const std::vector<gamedb::Constant>& all, std::string_view name) {
  for (const auto& c : all)
    if (c.name == name) return &c;
  return nullptr;
}

boost::json::value value_of(const std::vector<gamedb::Constant>& all, std::string_view name) {
  const auto* c = find(all, name);
  return c ? number_or_null(c->value) : boost::json::value(nullptr);
}

}  // namespace

ConstantsCache::ConstantsCache(Reader reader, BlockingPool& blocking, std::chrono::milliseconds ttl)
    : reader_(std::move(reader)), blocking_(blocking), ttl_(ttl) {}

boost::asio::awaitable<Result<std::shared_ptr<const ConstantsSnapshot>>> ConstantsCache::get() {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lk(mu_);
    if (last_ && !last_->stale && now - last_->read_at < ttl_) co_return last_;
  }
  auto fresh = co_await blocking_.run([this] { return reader_(); });
  std::lock_guard lk(mu_);
  if (fresh) {
    last_ = make_snapshot(std::move(*fresh), std::chrono::steady_clock::now(), false);
    co_return last_;
  }
  spdlog::warn("status: reading constants failed ({}){}", fresh.error().code, last_ ? "; serving the last good read" : "");
  if (last_) {
    if (!last_->stale) last_ = make_snapshot(last_->constants, last_->read_at, true);
    co_return last_;
  }
  co_return Error::make(ErrorKind::bad_gateway, "status_unavailable", "the server status cannot be read right now");
}

std::shared_ptr<const ConstantsSnapshot> make_snapshot(std::vector<gamedb::Constant> constants,
                                                       std::chrono::steady_clock::time_point read_at, bool stale) {
  auto snap = std::make_shared<ConstantsSnapshot>();
  snap->status_json = boost::json::serialize(status_body(constants, stale));
  snap->constants_json = boost::json::serialize(constants_body(constants));
  snap->constants = std::move(constants);
  snap->read_at = read_at;
  snap->stale = stale;
  return snap;
}

boost::json::object constants_body(const std::vector<gamedb::Constant>& constants) {
  boost::json::object out;
  for (const auto& c : constants)
    out[c.name] = boost::json::object{
        {"value", number_or_null(c.value)},
        {"description", c.description ? boost::json::value(*c.description) : boost::json::value(nullptr)}};
  return out;
}

boost::json::object status_body(const std::vector<gamedb::Constant>& all, bool stale) {
  boost::json::object meta;
  for (const auto& c : all) meta[c.name] = c.description ? boost::json::value(*c.description) : boost::json::value(nullptr);
  return boost::json::object{{"server_status", value_of(all, "ServerStatus")},
                             {"rates",
                              {{"exp", value_of(all, "RateExp")},
                               {"pvp", value_of(all, "RatePvp")},
                               {"pve", value_of(all, "RatePve")},
                               {"color_mob", value_of(all, "RateColorMob")},
                               {"skill", value_of(all, "RateSkill")}}},
                             {"client_status", value_of(all, "CLIENT_STATUS")},
                             {"_meta", std::move(meta)},
                             {"_cache", {{"stale", stale}}}};
}

net::HttpResponse status_response(const ConstantsSnapshot& snap) {
  auto res = net::HttpResponse::text(200, snap.status_json, "application/json");
  auto age = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - snap.read_at).count();
  res.headers.set("Cache-Control", "public, max-age=30");
  res.headers.set("Age", std::to_string(age));
  if (snap.stale) res.headers.set("X-Status-Stale", "true");
  return res;
}

void add_constants_route(net::Router& router, ConstantsCache& cache) {
  router.get("/internal/constants", [&cache](net::HttpRequest& req) -> boost::asio::awaitable<net::HttpResponse> {
    auto snap = co_await cache.get();
    if (!snap) co_return net::error_response(snap.error(), req.request_id);
    co_return net::HttpResponse::text(200, (*snap)->constants_json, "application/json");
  });
}

void add_status_routes(net::Router& router, ConstantsCache& cache) {
  router.get("/server/status", [&cache](net::HttpRequest& req) -> boost::asio::awaitable<net::HttpResponse> {
    auto snap = co_await cache.get();
    if (!snap) co_return net::error_response(snap.error(), req.request_id);
    co_return status_response(**snap);
  });
}

}  // namespace tzr::status
