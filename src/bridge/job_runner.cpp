#include "bridge/job_runner.hpp"

#include "crypto/canonical_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <ctime>

namespace tzr::bridge {
namespace {

std::optional<boost::json::object> json_object(const net::HttpResponse& res) {
  auto type = res.headers.get("Content-Type");
  if (!type || type->find("json") == std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  auto v = boost::json::parse(res.body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return v.as_object();
}

std::string text_of(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  return boost::json::serialize(v);
}

// The codes that API_2 (the facade) produced in the reference; the agent showed their message.
// Everything else came from API_Father, whose {"detail": …} body the agent turned into "HTTP <n>".
bool facade_code(std::string_view code) { return code == "validation_error" || code == "bad_request"; }

JobOutcome failed_response(const net::HttpResponse& res) {
  const std::string http_text = "HTTP " + std::to_string(res.status);
  auto body = json_object(res);
  if (!body) return JobOutcome::failed("local_unavailable", "Connection error: HTTP " + std::to_string(res.status) + " without a JSON body");
  std::string code;
  if (const auto* e = body->if_contains("error"); e && e->is_string()) code = std::string(e->as_string());
  else if (const auto* d = body->if_contains("detail"); d && d->is_string()) code = std::string(d->as_string());
  else code = "http_" + std::to_string(res.status);

  JobOutcome out = JobOutcome::failed(code, http_text);
  const auto* fields = body->if_contains("fields");
  if (fields && fields->is_object()) out.failure.fields = fields->as_object();
  if (const auto* m = body->if_contains("message"); m && m->is_string()) out.failure.message = std::string(m->as_string());
  if (facade_code(code)) {
    std::string text = http_text;
    if (const auto* m = body->if_contains("message"); m && m->is_string() && !m->as_string().empty()) text = std::string(m->as_string());
    else if (!code.empty()) text = code;
    if (out.failure.fields && !out.failure.fields->empty()) {
      std::string list;
      for (const auto& [k, v] : *out.failure.fields) list += (list.empty() ? "" : ", ") + std::string(k) + ": " + text_of(v);
      text += " (" + list + ")";
    }
    out.failure.text = std::move(text);
  }
  return out;
}

double rate_value(const boost::json::object& constants, std::string_view name) {
  const auto* c = constants.if_contains(name);
  if (!c || !c->is_object()) return 1.0;
  const auto* v = c->as_object().if_contains("value");
  if (!v || !v->is_number()) return 1.0;
  return v->to_number<double>();
}

}  // namespace

JobOutcome register_outcome(const net::HttpResponse& res) {
  if (res.status != 200) return failed_response(res);
  boost::json::value user_id = nullptr;
  if (auto body = json_object(res))
    if (const auto* u = body->if_contains("user_id")) user_id = *u;
  return JobOutcome::success(boost::json::object{{"ok", true}, {"user_id", user_id}, {"error", nullptr}});
}

JobOutcome reset_outcome(const net::HttpResponse& res) {
  if (res.status != 200) return failed_response(res);
  boost::json::value logins = boost::json::array();
  if (auto body = json_object(res))
    if (const auto* l = body->if_contains("logins"); l && l->is_array()) logins = *l;
  return JobOutcome::success(boost::json::object{{"ok", true}, {"logins", logins}, {"error", nullptr}});
}

JobOutcome status_outcome(const net::HttpResponse& res, std::int64_t revision, std::string generated_at) {
  if (res.status != 200)
    return JobOutcome::failed("local_unavailable", "Local API error: Status API returned " + std::to_string(res.status));
  auto body = json_object(res);
  if (!body) return JobOutcome::failed("local_unavailable", "Local API error: Connection error: the status API did not answer JSON");
  boost::json::value server_status = 1;
  boost::json::value rates = boost::json::object{{"exp", 1.0}, {"pvp", 1.0}, {"pve", 1.0}, {"color_mob", 1.0}, {"skill", 1.0}};
  if (const auto* s = body->if_contains("ServerStatus")) {
    // API_Father's /internal/constants: {Name: {"value": float, "description": str}}.
    if (s->is_object()) {
      const auto* v = s->as_object().if_contains("value");
      if (v && v->is_number()) server_status = static_cast<std::int64_t>(v->to_number<double>());
    }
    rates = boost::json::object{{"exp", rate_value(*body, "RateExp")},
                                {"pvp", rate_value(*body, "RatePvp")},
                                {"pve", rate_value(*body, "RatePve")},
                                {"color_mob", rate_value(*body, "RateColorMob")},
                                {"skill", rate_value(*body, "RateSkill")}};
  } else {
    // Another status source (API_1's shape): passed through as received, and signed that way.
    if (const auto* s2 = body->if_contains("server_status")) server_status = *s2;
    if (const auto* r = body->if_contains("rates")) rates = *r;
  }
  return JobOutcome::success(boost::json::object{
      {"server_status", server_status}, {"rates", rates}, {"generated_at", std::move(generated_at)}, {"revision", revision}});
}

JobOutcome local_call_failure(const Error& error, std::chrono::milliseconds timeout, bool status_job) {
  const std::string prefix = status_job ? "Local API error: " : "";
  if (error.code == "http_timeout")
    return JobOutcome::failed("local_timeout",
                              prefix + "Timeout after " + crypto::python_float_repr(static_cast<double>(timeout.count()) / 1000.0) + "s");
  return JobOutcome::failed("local_unavailable", prefix + "Connection error: " + error.message);
}

std::string python_isoformat_utc(std::chrono::system_clock::time_point t) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(us / 1'000'000);
  const auto micros = us % 1'000'000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                                tm.tm_min, tm.tm_sec);
  if (micros != 0) out += fmt::format(".{:06}", micros);
  return out + "+00:00";
}

boost::asio::awaitable<JobOutcome> JobRunner::run(SiteJob job) {
  if (job.job_type == kRegister) {
    JobOutcome out = co_await run_register(std::move(job));
    co_return out;
  }
  if (job.job_type == kResetPassword) {
    JobOutcome out = co_await run_reset(std::move(job));
    co_return out;
  }
  JobOutcome out = co_await run_status();
  co_return out;
}

namespace {

Result<std::string> decrypt_password(const boost::json::object& payload, const AesKeys& keys, crypto::KeySlot* used) {
  const auto& blob = payload.at("password_encrypted");
  if (!blob.is_string()) return Error::bad_request("not a string", "aes_blob_malformed");
  return crypto::aes_gcm::decrypt(blob.as_string(), keys, used);
}

JobFailure decrypt_failure() { return {"decrypt_failed", "Password decryption failed", {}, {}}; }

}  // namespace

std::variant<boost::json::object, JobFailure> register_call(const SiteJob& job, const AesKeys& keys, crypto::KeySlot* used) {
  if (auto missing = missing_field(job.payload, {"login", "password_encrypted", "gender", "telegram_id"})) return *missing;
  auto password = decrypt_password(job.payload, keys, used);
  if (!password) return decrypt_failure();
  const auto* username = job.payload.if_contains("username");
  boost::json::object body{{"login", job.payload.at("login")},
                           {"password", *password},
                           {"gender", job.payload.at("gender")},
                           {"telegram_id", job.payload.at("telegram_id")},
                           {"username", username ? *username : boost::json::value(nullptr)},
                           {"request_id", job.id}};
  for (auto proof : {"telegram_auth", "telegram_init_data"})
    if (const auto* p = job.payload.if_contains(proof)) body[proof] = *p;
  return body;
}

std::variant<boost::json::object, JobFailure> reset_call(const SiteJob& job, const AesKeys& keys, crypto::KeySlot* used) {
  if (auto missing = missing_field(job.payload, {"telegram_id", "password_encrypted"})) return *missing;
  auto password = decrypt_password(job.payload, keys, used);
  if (!password) return decrypt_failure();
  boost::json::object body{{"telegram_id", job.payload.at("telegram_id")}, {"password", *password}};
  for (auto optional : {"login", "telegram_auth", "telegram_init_data"})
    if (const auto* p = job.payload.if_contains(optional)) body[optional] = *p;
  return body;
}

boost::asio::awaitable<JobOutcome> JobRunner::run_register(SiteJob job) {
  crypto::KeySlot used = crypto::KeySlot::current;
  auto call = register_call(job, keys_, &used);
  if (used == crypto::KeySlot::previous && previous_use_) previous_use_->record("aes", "job " + job.id);
  if (auto* failure = std::get_if<JobFailure>(&call)) co_return JobOutcome{false, nullptr, std::move(*failure)};
  auto res = co_await post(local_.register_url, std::move(job.id), std::move(std::get<boost::json::object>(call)), false);
  if (!res) co_return local_call_failure(res.error(), local_.timeout, false);
  co_return register_outcome(*res);
}

boost::asio::awaitable<JobOutcome> JobRunner::run_reset(SiteJob job) {
  crypto::KeySlot used = crypto::KeySlot::current;
  auto call = reset_call(job, keys_, &used);
  if (used == crypto::KeySlot::previous && previous_use_) previous_use_->record("aes", "job " + job.id);
  if (auto* failure = std::get_if<JobFailure>(&call)) co_return JobOutcome{false, nullptr, std::move(*failure)};
  auto res = co_await post(local_.reset_url, std::move(job.id), std::move(std::get<boost::json::object>(call)), true);
  if (!res) co_return local_call_failure(res.error(), local_.timeout, false);
  co_return reset_outcome(*res);
}

// The job id travels as X-Request-Id: the local service's own idempotency key.
boost::asio::awaitable<Result<net::HttpResponse>> JobRunner::post(std::string url, std::string job_id, boost::json::object body,
                                                                  bool bearer) {
  net::HttpClientRequest req;
  req.method = "POST";
  req.url = std::move(url);
  req.headers.set("Content-Type", "application/json");
  req.headers.set("X-Request-Id", job_id);
  if (bearer && !local_.bearer_token.empty()) req.headers.set("Authorization", "Bearer " + local_.bearer_token);
  req.body = boost::json::serialize(body);
  req.timeout = local_.timeout;
  auto res = co_await http_.request(std::move(req));
  co_return res;
}

boost::asio::awaitable<JobOutcome> JobRunner::run_status() {
  net::HttpClientRequest req;
  req.url = local_.status_url;
  if (!local_.bearer_token.empty()) req.headers.set("Authorization", "Bearer " + local_.bearer_token);
  req.timeout = local_.timeout;
  auto res = co_await http_.request(std::move(req));
  if (!res) co_return local_call_failure(res.error(), local_.timeout, true);
  const auto now = std::chrono::system_clock::now();
  co_return status_outcome(*res, next_revision(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()),
                           python_isoformat_utc(now));
}

std::int64_t JobRunner::next_revision(std::int64_t now) {
  // max(now, last + 1), monotonic even when several status jobs run at once.
  std::int64_t last = last_revision_.load();
  std::int64_t next = 0;
  do {
    next = std::max(now, last + 1);
  } while (!last_revision_.compare_exchange_weak(last, next));
  return next;
}

}  // namespace tzr::bridge
