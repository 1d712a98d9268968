#include "bridge/hub.hpp"

#include "bridge/job_ledger.hpp"
#include "bridge/previous_key.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "crypto/canonical_json.hpp"
#include "crypto/hash.hpp"
#include "net/http_errors.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <span>
#include <unordered_map>
#include <vector>

namespace tzr::bridge {
namespace {

namespace asio = boost::asio;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

ErrorKind kind_for_status(int status) {
  switch (status) {
    case 400: return ErrorKind::bad_request;
    case 401: return ErrorKind::unauthorized;
    case 403: return ErrorKind::forbidden;
    case 404: return ErrorKind::not_found;
    case 409: return ErrorKind::conflict;
    case 413: return ErrorKind::payload_too_large;
    case 422: return ErrorKind::unprocessable;
    case 429: return ErrorKind::too_many_requests;
    case 500: return ErrorKind::bad_gateway;  // the game network's internal error is a gateway error here
    case 503: return ErrorKind::unavailable;
    case 504: return ErrorKind::gateway_timeout;
    default: return ErrorKind::bad_gateway;
  }
}

struct AgentLink {
  std::uint64_t serial = 0;
  std::string agent_id;
  std::shared_ptr<net::WebSocketConnection> conn;
  std::size_t in_flight = 0;
  bool draining = false;
  crypto::KeySlot keys = crypto::KeySlot::current;  // the key generation its token proved
};

struct Pending {
  SiteJob job;  // id, type, payload; ts and nonce are fresh on every push
  bool persisted = false;
  std::uint64_t agent = 0;  // serial of the agent it was pushed to; 0 = waiting for one
  std::optional<JobOutcome> outcome;
  std::vector<std::shared_ptr<asio::steady_timer>> waiters;
  int retries = 0;  // re-pushes because the first copy was still running
  std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
};

constexpr int kMaxRetries = 40;
constexpr std::chrono::milliseconds kRetryDelay{500};

void wake(std::vector<std::shared_ptr<asio::steady_timer>> waiters) {
  for (auto& t : waiters) asio::post(t->get_executor(), [t] { t->cancel(); });
}

}  // namespace

Error proxy_error(const JobFailure& f) {
  static const std::unordered_map<std::string_view, ErrorKind> kinds = {
      {"validation_error", ErrorKind::validation},     {"bad_request", ErrorKind::bad_request},
      {"missing_field", ErrorKind::bad_request},       {"not_in_telegram_group", ErrorKind::forbidden},
      {"limit_exceeded", ErrorKind::forbidden},        {"telegram_auth_required", ErrorKind::forbidden},
      {"telegram_auth_invalid", ErrorKind::forbidden}, {"login_taken", ErrorKind::conflict},
      {"idempotency_conflict", ErrorKind::conflict},   {"idempotency_in_progress", ErrorKind::conflict},
      {"rate_limited", ErrorKind::too_many_requests},  {"not_found", ErrorKind::not_found},
      {"no_accounts", ErrorKind::not_found},           {"local_timeout", ErrorKind::gateway_timeout},
      {"agent_busy", ErrorKind::unavailable},          {"agent_draining", ErrorKind::unavailable},
      {"service_unavailable", ErrorKind::unavailable},
  };
  ErrorKind kind = ErrorKind::bad_gateway;
  std::string code = f.code;
  if (auto it = kinds.find(code); it != kinds.end()) {
    kind = it->second;
  } else if (code.starts_with("http_") && code.size() == 8) {
    kind = kind_for_status(std::atoi(code.c_str() + 5));
  } else if (code.empty()) {
    // A reference agent sends no code: its "HTTP 409" text still carries the status.
    code = "agent_error";
    if (f.text.starts_with("HTTP ") && f.text.size() == 8) kind = kind_for_status(std::atoi(f.text.c_str() + 5));
  }
  Error e = Error::make(kind, code, f.message.empty() ? f.text : f.message);
  if (f.fields)
    for (const auto& [name, value] : *f.fields)
      e.fields.push_back({std::string(name), value.is_string() ? std::string(value.as_string()) : boost::json::serialize(value)});
  return e;
}

struct SiteHub::State : std::enable_shared_from_this<SiteHub::State> {
  State(asio::any_io_executor ex, HubOptions o, crypto::KeyRing<crypto::aes_gcm::Key> k, HubJobStore& s, BlockingPool& b,
        Metrics& m)
      : executor(std::move(ex)),
        options(std::move(o)),
        aes(std::move(k)),
        store(s),
        blocking(b),
        pushed(prometheus::BuildCounter().Name("tzr_hub_jobs_pushed_total").Help("Jobs pushed to agents").Register(m.registry())),
        results(prometheus::BuildCounter().Name("tzr_hub_results_total").Help("Results received, by outcome").Register(m.registry())),
        refused(prometheus::BuildCounter()
                    .Name("tzr_hub_refused_total")
                    .Help("Refused agent connections and result frames, by reason")
                    .Register(m.registry())),
        agents_gauge(prometheus::BuildGauge().Name("tzr_hub_agents").Help("Connected agents").Register(m.registry()).Add({})),
        previous_use(m, "hub") {}

  asio::any_io_executor executor;
  HubOptions options;
  crypto::KeyRing<crypto::aes_gcm::Key> aes;
  HubJobStore& store;
  BlockingPool& blocking;
  std::mutex mu;
  std::vector<std::shared_ptr<AgentLink>> agents;
  std::unordered_map<std::string, std::shared_ptr<Pending>> pending;
  std::uint64_t next_serial = 1;
  bool draining = false;
  prometheus::Family<prometheus::Counter>& pushed;
  prometheus::Family<prometheus::Counter>& results;
  prometheus::Family<prometheus::Counter>& refused;
  prometheus::Gauge& agents_gauge;
  PreviousKeyUse previous_use;

  // Sends the job to the least busy live agent; without one it waits for the next connection.
  asio::awaitable<void> push(std::shared_ptr<Pending> p) {
    auto self = shared_from_this();
    std::shared_ptr<AgentLink> agent;
    SiteJob job;
    bool persisted = false;
    {
      std::lock_guard lock(mu);
      if (p->outcome || p->agent != 0 || draining) co_return;
      for (auto& a : agents)
        if (!a->draining && (!agent || a->in_flight < agent->in_flight)) agent = a;
      if (!agent) co_return;
      p->agent = agent->serial;
      ++agent->in_flight;
      job = p->job;
      persisted = p->persisted;
    }
    if (persisted) {
      // Another hub on this database may hold the job, or have finished it.
      const std::int64_t t = unix_ms();
      auto claimed = co_await blocking.run([&] { return store.claim(job.id, options.hub_id, t + options.claim_lease.count(), t); });
      if (!claimed) spdlog::warn("hub: job {} not claimed: {}", job.id, claimed.error().code);
      if (!claimed || !*claimed) {
        unassign(*p, *agent);
        co_return;
      }
    }
    job.ts = unix_now();
    job.nonce = uuid4();
    const bool old_agent = agent->keys == crypto::KeySlot::previous;
    if (auto st = for_agent(job.payload, old_agent); !st)
      spdlog::warn("hub: job {}: its password cannot be re-encrypted for agent {}: {}", job.id, agent->agent_id, st.error().code);
    const auto& hmac = options.hmac_secret;
    auto sent = co_await agent->conn->send(make_job_frame(job, old_agent && hmac.previous ? *hmac.previous : hmac.current));
    if (sent) {
      pushed.Add({{"type", job.job_type}}).Increment();
      co_return;
    }
    unassign(*p, *agent);
  }

  void unassign(Pending& p, AgentLink& agent) {
    std::lock_guard lock(mu);
    if (p.agent == agent.serial) {
      p.agent = 0;
      if (agent.in_flight > 0) --agent.in_flight;
    }
  }

  bool has_live_agent() const {
    for (const auto& a : agents)
      if (!a->draining) return true;
    return false;
  }

  // An outcome read from the job table (another hub's agent ran the job): answers this hub's waiters.
  void settle(const std::shared_ptr<Pending>& p, JobOutcome outcome) {
    std::vector<std::shared_ptr<asio::steady_timer>> waiters;
    {
      std::lock_guard lock(mu);
      if (!p->outcome) {
        p->outcome = std::move(outcome);
        waiters = std::move(p->waiters);
      }
      if (auto it = pending.find(p->job.id); it != pending.end() && it->second == p && p->agent == 0) pending.erase(it);
    }
    wake(std::move(waiters));
  }

  // Every poll interval: renews the claims on jobs this hub's agents are running, takes the jobs
  // no hub holds (made at a hub without agents, or held by a hub that died) when it has agents,
  // forgets waiting jobs nobody waits for any more (the table keeps them), and pushes.
  asio::awaitable<void> sweep() {
    auto self = shared_from_this();
    asio::steady_timer tick(executor);
    auto renewed = std::chrono::steady_clock::now();
    auto purged = std::chrono::steady_clock::time_point{};
    for (;;) {
      tick.expires_after(options.poll);
      co_await tick.async_wait(kTuple);
      std::vector<std::string> flying;
      bool live = false;
      {
        std::lock_guard lock(mu);
        if (draining) co_return;
        live = has_live_agent();
        for (const auto& [id, p] : pending)
          if (p->persisted && p->agent != 0 && !p->outcome) flying.push_back(id);
      }
      const auto now = std::chrono::steady_clock::now();
      if (!flying.empty() && now - renewed >= options.claim_lease / 4) {
        renewed = now;
        const std::int64_t until = unix_ms() + options.claim_lease.count();
        if (auto st = co_await blocking.run([&] { return store.renew(flying, options.hub_id, until); }); !st)
          spdlog::warn("hub: claims not renewed: {}", st.error().code);
      }
      if (now - purged >= std::chrono::hours(1)) {
        purged = now;
        auto gone = co_await blocking.run([&] { return store.purge(unix_now() - options.retention_seconds); });
        if (!gone) spdlog::warn("hub: old jobs not purged: {}", gone.error().code);
        else if (*gone > 0) spdlog::info("hub: {} job(s) older than the retention purged", *gone);
      }
      if (!live) continue;
      const std::int64_t t = unix_ms();
      auto rows = co_await blocking.run([&] { return store.claimable(t / 1000 - options.pending_ttl_seconds, t, 64); });
      if (!rows) {
        spdlog::warn("hub: cannot read the job table: {}", rows.error().code);
        continue;
      }
      {
        std::lock_guard lock(mu);
        for (auto& j : *rows) {
          auto& slot = pending[j.id];
          if (slot) continue;
          slot = std::make_shared<Pending>();
          slot->job = SiteJob{j.id, j.job_type, std::move(j.payload), 0, {}};
          slot->persisted = true;
        }
        std::erase_if(pending, [&](const auto& entry) {
          const Pending& p = *entry.second;
          return p.persisted && p.agent == 0 && !p.outcome && p.waiters.empty() && now - p.since > options.job_timeout;
        });
      }
      push_waiting();
    }
  }

  // The password blob in the AES key the agent holds: a blob made before a rotation (a stored
  // job) or for an agent that has not rotated yet is opened with the hub's ring and sealed again.
  Status for_agent(boost::json::object& payload, bool old_agent) const {
    auto* blob = payload.if_contains("password_encrypted");
    if (!blob || !blob->is_string() || !aes.previous) return {};
    const crypto::aes_gcm::Key& target = old_agent ? *aes.previous : aes.current;
    crypto::KeySlot made_with = crypto::KeySlot::current;
    auto plain = crypto::aes_gcm::decrypt(blob->as_string(), aes, &made_with);
    if (!plain) return plain.error();
    if ((made_with == crypto::KeySlot::previous) == old_agent) return {};
    auto sealed = crypto::aes_gcm::encrypt(*plain, target);
    if (!sealed) return sealed.error();
    *blob = *sealed;
    return {};
  }

  void push_waiting() {
    std::vector<std::shared_ptr<Pending>> waiting;
    {
      std::lock_guard lock(mu);
      for (auto& [id, p] : pending)
        if (p->agent == 0 && !p->outcome) waiting.push_back(p);
    }
    for (auto& p : waiting) asio::co_spawn(executor, push(p), asio::detached);
  }

  void deliver(const std::string& text, AgentLink& from) {
    auto checked = check_result_frame(text, {options.hmac_secret, options.freshness, unix_now()}, nullptr);
    if (!checked) {
      refused.Add({{"reason", checked.error().code}}).Increment();
      spdlog::warn("hub: result from agent {} refused: {}", from.agent_id, checked.error().code);
      return;
    }
    SiteResult r = std::move(*checked);
    if (r.key == crypto::KeySlot::previous) previous_use.record("hmac", "result of job " + r.id + " from agent " + from.agent_id);
    std::shared_ptr<Pending> p;
    std::vector<std::shared_ptr<asio::steady_timer>> waiters;
    bool retry_later = false;
    {
      std::lock_guard lock(mu);
      auto it = pending.find(r.id);
      if (it == pending.end()) {
        spdlog::info("hub: result for job {} that is not waiting (late or repeated)", r.id);
        return;
      }
      p = it->second;
      if (p->agent == from.serial && from.in_flight > 0) --from.in_flight;
      const std::string& code = r.outcome.failure.code;
      if (!r.outcome.ok && code == "agent_draining") {
        // Another agent may take it now; the draining one is about to leave.
        from.draining = true;
        p->agent = 0;
      } else if (!r.outcome.ok && (code == "request_in_progress" || code == "agent_busy") && p->retries < kMaxRetries) {
        // The first copy of this job is still running behind the agent (a re-push after an agent
        // restart): ask again shortly instead of failing the caller.
        ++p->retries;
        p->agent = 0;
        retry_later = true;
      } else {
        p->outcome = r.outcome;
        waiters = std::move(p->waiters);
        // A stored job's outcome stays in memory until its row holds it, so that a retry
        // arriving in between is answered from it instead of pushing the job again.
        if (!p->persisted) pending.erase(it);
      }
    }
    results.Add({{"outcome", r.outcome.ok ? "ok" : r.outcome.failure.code}}).Increment();
    if (retry_later) {
      auto self = shared_from_this();
      auto timer = std::make_shared<asio::steady_timer>(executor, kRetryDelay);
      timer->async_wait([self, timer, p](const boost::system::error_code& ec) {
        if (!ec) asio::co_spawn(self->executor, self->push(p), asio::detached);
      });
      return;
    }
    if (!p->outcome) {
      push_waiting();
      return;
    }
    wake(std::move(waiters));
    if (p->persisted) {
      // Final: done for good. Retryable: answered (a waiting caller at another hub reads it; the
      // job runs again only when its caller retries), and the claim is given up.
      auto self = shared_from_this();
      asio::co_spawn(
          executor,
          [self, p, id = r.id, outcome = r.outcome]() -> asio::awaitable<void> {
            auto st = co_await self->blocking.run([&] {
              return outcome_is_final(outcome) ? self->store.finish(id, outcome, unix_now()) : self->store.answer(id, outcome);
            });
            if (!st) spdlog::error("hub: outcome of job {} not stored: {}", id, st.error().code);
            std::lock_guard lock(self->mu);
            if (auto it = self->pending.find(id); it != self->pending.end() && it->second == p) self->pending.erase(it);
          },
          asio::detached);
    }
  }

  asio::awaitable<void> agent_session(std::shared_ptr<net::WebSocketConnection> conn, std::string agent_id, std::int64_t exp,
                                      crypto::KeySlot keys) {
    auto self = shared_from_this();
    auto link = std::make_shared<AgentLink>();
    link->agent_id = agent_id;
    link->keys = keys;
    link->conn = conn;
    {
      std::lock_guard lock(mu);
      link->serial = next_serial++;
      agents.push_back(link);
      agents_gauge.Set(static_cast<double>(agents.size()));
    }
    spdlog::info("hub: agent {} connected from {}", agent_id, conn->remote_address());
    // The token's end is the connection's end: the agent reconnects with a fresh one (close 4401).
    auto expiry = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
    expiry->expires_after(std::chrono::seconds(std::max<std::int64_t>(1, exp - unix_now())));
    expiry->async_wait([conn, conn_executor = executor](const boost::system::error_code& ec) {
      if (!ec) asio::co_spawn(conn_executor, conn->close(4401, "token expired"), asio::detached);
    });
    push_waiting();
    for (;;) {
      auto frame = co_await conn->read();
      if (!frame) break;
      deliver(*frame, *link);
    }
    expiry->cancel();
    {
      std::lock_guard lock(mu);
      std::erase(agents, link);
      agents_gauge.Set(static_cast<double>(agents.size()));
      // Jobs it did not answer go to another agent (each agent's own idempotency, and the
      // registration's by request id, keep a re-pushed job from running twice).
      for (auto& [id, p] : pending)
        if (p->agent == link->serial) p->agent = 0;
    }
    spdlog::info("hub: agent {} disconnected", agent_id);
    push_waiting();
  }

  // Waits for the job's outcome up to the job timeout; nullopt on timeout or drain. A stored
  // job that no agent of this hub holds is looked up in the table every poll interval: another
  // hub's agent may be running it.
  asio::awaitable<std::optional<JobOutcome>> wait_for(std::shared_ptr<Pending> p) {
    const auto deadline = std::chrono::steady_clock::now() + options.job_timeout;
    auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
    for (;;) {
      timer->expires_at(std::min(deadline, std::chrono::steady_clock::now() + options.poll));
      {
        std::lock_guard lock(mu);
        if (p->outcome || draining) co_return p->outcome;
        p->waiters.push_back(timer);
      }
      co_await timer->async_wait(kTuple);
      bool look = false;
      {
        std::lock_guard lock(mu);
        std::erase(p->waiters, timer);
        if (p->outcome || draining) co_return p->outcome;
        look = p->persisted && p->agent == 0;
      }
      if (std::chrono::steady_clock::now() >= deadline) co_return std::nullopt;
      if (!look) continue;
      auto row = co_await blocking.run([&] { return store.find(p->job.id); });
      if (!row || !*row) continue;
      const HubJob& job = **row;
      if (job.outcome && (job.status == HubJob::Status::done || job.status == HubJob::Status::answered)) {
        settle(p, *job.outcome);
        co_return job.outcome;
      }
    }
  }

  // The in-memory entry of a job, created (and pushed) if it is not there yet.
  std::shared_ptr<Pending> track(SiteJob job, bool persisted) {
    std::shared_ptr<Pending> p;
    bool created = false;
    {
      std::lock_guard lock(mu);
      auto& slot = pending[job.id];
      if (!slot) {
        slot = std::make_shared<Pending>();
        slot->job = std::move(job);
        slot->persisted = persisted;
        created = true;
      }
      p = slot;
    }
    if (created) asio::co_spawn(executor, push(p), asio::detached);
    return p;
  }
};

SiteHub::SiteHub(asio::any_io_executor executor, HubOptions options, crypto::KeyRing<crypto::aes_gcm::Key> aes_key, HubJobStore& store,
                 BlockingPool& blocking, Metrics& metrics)
    : state_(std::make_shared<State>(std::move(executor), std::move(options), std::move(aes_key), store, blocking, metrics)) {}

SiteHub::~SiteHub() = default;

std::size_t SiteHub::agent_count() const {
  std::lock_guard lock(state_->mu);
  return state_->agents.size();
}

Status SiteHub::recover() {
  const std::int64_t horizon = unix_now() - state_->options.pending_ttl_seconds;
  if (auto st = state_->store.expire_before(horizon); !st) return st;
  auto jobs = state_->store.pending_since(horizon, 100'000);
  if (!jobs) return jobs.error();
  // The sweep pushes them once an agent is connected (and their claims, if any, have run out).
  if (!jobs->empty()) spdlog::info("hub: {} unfinished job(s) in the job table will be pushed again", jobs->size());
  return {};
}

void SiteHub::start() { asio::co_spawn(state_->executor, state_->sweep(), asio::detached); }

net::WebSocketRoute SiteHub::websocket_route() {
  auto state = state_;
  net::WebSocketRoute route;
  route.path = "/ws/pull";
  route.options = state->options.ws;
  route.accept = [state](const net::HttpRequest& req) -> Result<net::WebSocketSession> {
    auto unauthorized = [&](std::string code) {
      state->refused.Add({{"reason", code}}).Increment();
      return Error::make(ErrorKind::unauthorized, std::move(code), "a valid agent token is required");
    };
    auto header = req.headers.get("Authorization");
    if (!header || !header->starts_with("Bearer ")) return unauthorized("jwt_missing");
    crypto::KeySlot used = crypto::KeySlot::current;
    auto claims = crypto::jwt::verify(header->substr(7), state->options.jwt_secret, unix_now(), state->options.jwt, &used);
    if (!claims) return unauthorized(claims.error().code);
    std::string agent_id = "agent";
    if (const auto* sub = claims->if_contains("sub"); sub && sub->is_string()) agent_id = std::string(sub->as_string());
    if (used == crypto::KeySlot::previous) state->previous_use.record("jwt", "token of agent " + agent_id);
    const std::int64_t exp = claims->at("exp").to_number<std::int64_t>();
    {
      std::lock_guard lock(state->mu);
      if (state->draining) return Error::unavailable("shutting_down", "the hub is shutting down");
      if (state->agents.size() >= state->options.max_agents) return Error::unavailable("too_many_agents", "too many agents connected");
    }
    return net::WebSocketSession([state, agent_id, exp, used](std::shared_ptr<net::WebSocketConnection> conn) {
      return state->agent_session(std::move(conn), agent_id, exp, used);
    });
  };
  return route;
}

namespace {

// The keys of a public register / reset request that travel in the job, besides the password.
constexpr std::string_view kRegisterKeys[] = {"login", "gender", "telegram_id", "username", "telegram_auth", "telegram_init_data"};
constexpr std::string_view kResetKeys[] = {"telegram_id", "login", "telegram_auth", "telegram_init_data"};

Error missing(std::vector<std::string> names) {
  Error e = Error::make(ErrorKind::validation, "validation_error", "Ошибка валидации входных данных");
  for (auto& n : names) e.fields.push_back({std::move(n), "обязательное поле"});
  return e;
}

}  // namespace

void SiteHub::add_routes(net::Router& router) {
  auto state = state_;

  // One handler for the two jobs that carry a password.
  auto password_job = [state](std::string job_type, std::span<const std::string_view> keys,
                              std::vector<std::string> required) {
    return [state, job_type, keys, required](net::HttpRequest& req) -> asio::awaitable<net::HttpResponse> {
      auto body = json::parse_object(req.body, {.max_depth = state->options.json_max_depth});
      if (!body) co_return net::error_response(body.error(), req.request_id);
      std::vector<std::string> absent;
      for (const auto& name : required)
        if (!body->contains(name)) absent.push_back(name);
      const auto* password = body->if_contains("password");
      if (!password) absent.push_back("password");
      if (!absent.empty()) co_return net::error_response(missing(std::move(absent)), req.request_id);
      if (!password->is_string() || password->as_string().size() > 1024) {
        Error e = Error::make(ErrorKind::validation, "validation_error", "Ошибка валидации входных данных");
        e.fields.push_back({"password", "password must be a string"});
        co_return net::error_response(e, req.request_id);
      }
      boost::json::object payload;
      for (auto key : keys)
        if (const auto* v = body->if_contains(key)) payload[key] = *v;
      auto blob = crypto::aes_gcm::encrypt(password->as_string(), state->aes.current);
      if (!blob) co_return net::error_response(blob.error(), req.request_id);
      // The request's fingerprint keys the password with the HMAC secret (never stored in clear).
      auto fingerprint_with = [&](std::string_view secret) {
        boost::json::object fingerprint{{"job_type", job_type},
                                        {"payload", payload},
                                        {"password", crypto::hmac_sha256_hex(secret, password->as_string())}};
        return crypto::sha256_hex(crypto::canonical_json(fingerprint).value());
      };
      const std::string print = fingerprint_with(state->options.hmac_secret.current);
      // A retry across a rotation was fingerprinted with the secret that is the previous one now.
      const auto& previous = state->options.hmac_secret.previous;
      const std::string previous_print = previous && !previous->empty() ? fingerprint_with(*previous) : std::string();
      payload["password_encrypted"] = *blob;

      // The caller's X-Request-Id (when well-formed) is the job id: a retry finds the first job.
      const std::string id = req.request_id;
      auto existing = co_await state->blocking.run([&] { return state->store.find(id); });
      if (!existing) co_return net::error_response(existing.error(), id);
      SiteJob job{id, job_type, payload, 0, {}};
      if (*existing) {
        const HubJob& found = **existing;
        const bool same = found.fingerprint == print || (!previous_print.empty() && found.fingerprint == previous_print);
        if (!same || found.job_type != job_type)
          co_return net::error_response(
              Error::make(ErrorKind::conflict, "idempotency_conflict", "this X-Request-Id was used for a different request"), id);
        if (found.status == HubJob::Status::done && found.outcome) {
          auto res = found.outcome->ok ? net::HttpResponse::empty(200) : net::error_response(proxy_error(found.outcome->failure), id);
          if (found.outcome->ok) {
            boost::json::object ok = found.outcome->result.is_object() ? found.outcome->result.as_object() : boost::json::object{};
            ok["ok"] = true;
            ok["request_id"] = id;
            res = net::HttpResponse::json(200, ok);
          }
          res.headers.set("Idempotent-Replayed", "true");
          co_return res;
        }
        job.payload = found.payload;  // the blob first stored: the same job again
        if (found.status != HubJob::Status::pending) {
          auto reopened = co_await state->blocking.run([&] { return state->store.reopen(id, unix_now()); });
          if (!reopened) co_return net::error_response(reopened.error(), id);
        }
      } else {
        HubJob row{id, job_type, print, payload, HubJob::Status::pending, std::nullopt, unix_now()};
        auto inserted = co_await state->blocking.run([&] { return state->store.insert(row); });
        // A concurrent twin inserted it first: both wait for the same job below.
        if (!inserted && inserted.error().code != storage::kUniqueViolation) co_return net::error_response(inserted.error(), id);
      }
      const bool seen_before = existing->has_value();
      auto p = state->track(std::move(job), true);
      bool replayed = false;
      if (seen_before) {
        std::lock_guard lock(state->mu);
        replayed = p->outcome.has_value();  // finished, its row not yet marked done
      }
      auto outcome = co_await state->wait_for(p);
      if (!outcome) {
        bool draining = false;
        {
          std::lock_guard lock(state->mu);
          draining = state->draining;
        }
        co_return net::error_response(
            draining ? Error::unavailable("service_unavailable", "the hub is shutting down; retry with the same X-Request-Id")
                     : Error::make(ErrorKind::gateway_timeout, "agent_timeout",
                                   "the game network did not answer in time; retry with the same X-Request-Id"),
            id);
      }
      net::HttpResponse res;
      if (outcome->ok) {
        boost::json::object ok = outcome->result.is_object() ? outcome->result.as_object() : boost::json::object{};
        ok["ok"] = true;
        ok["request_id"] = id;
        res = net::HttpResponse::json(200, ok);
      } else {
        res = net::error_response(proxy_error(outcome->failure), id);
      }
      if (replayed) res.headers.set("Idempotent-Replayed", "true");
      co_return res;
    };
  };
  router.post("/proxy/register", password_job(std::string(kRegister), kRegisterKeys, {"login", "gender", "telegram_id"}));
  router.post("/proxy/password-reset", password_job(std::string(kResetPassword), kResetKeys, {"telegram_id"}));

  router.get("/proxy/server-status", [state](net::HttpRequest& req) -> asio::awaitable<net::HttpResponse> {
    // Read-only: a fresh job id every time, stored only when no agent is connected here, so
    // that an agent of another hub on the same database can answer it.
    SiteJob job{uuid4(), std::string(kServerStatus), {}, 0, {}};
    bool local = false;
    {
      std::lock_guard lock(state->mu);
      local = state->has_live_agent();
    }
    if (!local) {
      HubJob row{job.id, job.job_type, "", {}, HubJob::Status::pending, std::nullopt, unix_now()};
      auto inserted = co_await state->blocking.run([&] { return state->store.insert(row); });
      if (!inserted) co_return net::error_response(inserted.error(), req.request_id);
    }
    auto p = state->track(std::move(job), !local);
    auto outcome = co_await state->wait_for(p);
    if (!outcome) {
      {
        std::lock_guard lock(state->mu);
        if (!p->persisted) state->pending.erase(p->job.id);
      }
      co_return net::error_response(Error::make(ErrorKind::gateway_timeout, "agent_timeout", "the game network did not answer in time"),
                                    req.request_id);
    }
    if (!outcome->ok) co_return net::error_response(proxy_error(outcome->failure), req.request_id);
    co_return net::HttpResponse::json(200, outcome->result);
  });

  router.get("/proxy/agents", [state](net::HttpRequest&) -> asio::awaitable<net::HttpResponse> {
    boost::json::array list;
    std::size_t waiting = 0;
    {
      std::lock_guard lock(state->mu);
      for (const auto& a : state->agents)
        list.push_back(boost::json::object{{"agent_id", a->agent_id}, {"address", a->conn->remote_address()}, {"in_flight", a->in_flight}});
      for (const auto& [id, p] : state->pending)
        if (p->agent == 0) ++waiting;
    }
    co_return net::HttpResponse::json(200, boost::json::object{{"agents", list}, {"jobs_waiting_for_an_agent", waiting}});
  });
}

asio::awaitable<void> SiteHub::drain() {
  auto state = state_;
  std::vector<std::shared_ptr<AgentLink>> agents;
  std::vector<std::shared_ptr<asio::steady_timer>> waiters;
  {
    std::lock_guard lock(state->mu);
    state->draining = true;
    agents = state->agents;
    for (auto& [id, p] : state->pending)
      for (auto& w : p->waiters) waiters.push_back(w);
  }
  wake(std::move(waiters));
  for (auto& a : agents) co_await a->conn->close(1001, "hub shutting down");
}

}  // namespace tzr::bridge
