#include "shop/shop_service.hpp"

#include "core/time_format.hpp"
#include "crypto/hash.hpp"
#include "net/http_client.hpp"

#include <boost/json/serialize.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <deque>

namespace tzr::shop {

namespace asio = boost::asio;

namespace {

// The bots' sockets and timers belong to the caller's io_context, which may be destroyed before
// this service (serve() destroys the server first). When the context shuts down, this guard
// stops the service and lets go of the bots, so their I/O objects die with the context's
// handlers, while its I/O services still exist.
class ContextGuard : public asio::execution_context::service {
 public:
  using key_type = ContextGuard;
  static inline asio::execution_context::id id;
  explicit ContextGuard(asio::execution_context& ctx) : asio::execution_context::service(ctx) {}
  void add(std::function<void()> f) {
    std::lock_guard lock(mu_);
    hooks_.push_back(std::move(f));
  }

 private:
  void shutdown() override {
    std::vector<std::function<void()>> hooks;
    {
      std::lock_guard lock(mu_);
      hooks.swap(hooks_);
    }
    for (auto& f : hooks) f();
  }
  std::mutex mu_;
  std::vector<std::function<void()>> hooks_;
};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

// This instance's view of one bot account's lease. The bot may use its connection until
// `valid_until` (steady clock): two thirds of the lease after the renewal that began before it,
// so an instance that cannot renew stops before anyone else may start.
struct BotLeaseState {
  enum { unknown, held, elsewhere };
  std::atomic<int> state{unknown};
  std::atomic<std::int64_t> valid_until{0};
  mutable std::mutex mu;
  std::string holder;  // the other instance, when known

  bool usable() const { return state == held && steady_ms() < valid_until; }
};

boost::json::object JobInfo::to_json() const {
  boost::json::object o{{"job_id", id}, {"shop", shop}, {"state", state}, {"started_by", started_by},
                        {"created_at", iso_utc(created_at)},
                        {"started_at", started_at ? boost::json::value(iso_utc(started_at)) : nullptr},
                        {"finished_at", finished_at ? boost::json::value(iso_utc(finished_at)) : nullptr},
                        {"progress", {{"categories_done", categories_done}, {"categories_total", categories_total}}},
                        {"error", error.empty() ? boost::json::value(nullptr) : boost::json::value(error)}};
  if (snapshot)
    o["snapshot"] = {{"id", snapshot->id}, {"status", snapshot->status}, {"items", snapshot->items},
                     {"changes", snapshot->changes},
                     {"previous_id", snapshot->previous_id ? boost::json::value(*snapshot->previous_id) : nullptr}};
  else
    o["snapshot"] = nullptr;
  return o;
}

// Crawl figures: snapshots by outcome, last duration, items and failures per category.
struct ShopMetrics {
  explicit ShopMetrics(prometheus::Registry& r)
      : snapshots(prometheus::BuildCounter().Name("tzr_shop_snapshots_total").Help("Shop snapshots, by shop and status").Register(r)),
        duration(prometheus::BuildGauge().Name("tzr_shop_snapshot_duration_seconds").Help("Duration of the last snapshot").Register(r)),
        items(prometheus::BuildGauge().Name("tzr_shop_category_items").Help("Items seen in the last snapshot, per category").Register(r)),
        pages(prometheus::BuildCounter().Name("tzr_shop_pages_total").Help("Shop pages read").Register(r)),
        failures(prometheus::BuildCounter().Name("tzr_shop_category_failures_total").Help("Categories not read completely").Register(r)) {}
  prometheus::Family<prometheus::Counter>& snapshots;
  prometheus::Family<prometheus::Gauge>& duration;
  prometheus::Family<prometheus::Gauge>& items;
  prometheus::Family<prometheus::Counter>& pages;
  prometheus::Family<prometheus::Counter>& failures;

  void record(const SnapshotData& d) {
    snapshots.Add({{"shop", d.shop}, {"status", d.status()}}).Increment();
    duration.Add({{"shop", d.shop}}).Set(static_cast<double>(d.finished_at - d.started_at));
    for (const auto& c : d.categories) {
      items.Add({{"shop", d.shop}, {"category", c.category}}).Set(c.items);
      pages.Add({{"shop", d.shop}}).Increment(c.pages);
      if (c.status != CategoryStatus::ok) failures.Add({{"shop", d.shop}, {"category", c.category}}).Increment();
    }
  }
};

struct ShopService::State {
  std::shared_ptr<ShopMetrics> metrics;
  // Snapshot writes run here, not on the shared pool: queued work holds the io_context's
  // executor, so this pool must be destroyed while that context still exists (see ContextGuard).
  std::unique_ptr<BlockingPool> writer = std::make_unique<BlockingPool>(1);
  std::unique_ptr<net::HttpClient> http;  // alert webhook; its sockets belong to the executor's context
  std::string alert_webhook;
  asio::any_io_executor executor;
  mutable std::mutex mu;
  std::map<std::string, std::shared_ptr<ShopBot>> bots;
  std::map<std::string, JobInfo> jobs;
  std::deque<std::string> job_order;
  std::vector<std::shared_ptr<asio::steady_timer>> timers;
  std::map<std::string, std::shared_ptr<BotLeaseState>> leases;  // by shop code, when leases are kept
  bool stopped = false;
  bool context_gone = false;

  void put(const JobInfo& job, std::size_t keep) {
    std::lock_guard lock(mu);
    if (!jobs.count(job.id)) {
      job_order.push_back(job.id);
      while (job_order.size() > keep) {
        jobs.erase(job_order.front());
        job_order.pop_front();
      }
    }
    jobs[job.id] = job;
  }
  template <class F>
  void edit(const std::string& id, F f) {
    std::lock_guard lock(mu);
    if (auto it = jobs.find(id); it != jobs.end()) f(it->second);
  }
};

namespace {

// Posts fresh alerts to the webhook as {"alerts":[{"id","rule","key",…payload}]}; marks them
// delivered on a 2xx answer. Without a webhook they stay in the store (GET /analytics/alerts).
asio::awaitable<void> deliver_alerts(std::shared_ptr<ShopService::State> state, ShopStore* store, BlockingPool* pool,
                                     std::vector<std::pair<std::int64_t, Alert>> alerts) {
  spdlog::info("shop: {} new alert(s)", alerts.size());
  net::HttpClient* http = nullptr;
  std::string url;
  {
    std::lock_guard lock(state->mu);
    http = state->http.get();
    url = state->alert_webhook;
  }
  if (!http || url.empty()) co_return;
  boost::json::array list;
  std::vector<std::int64_t> ids;
  for (auto& [id, alert] : alerts) {
    auto o = alert.payload;
    o["id"] = id;
    o["rule"] = alert.rule;
    o["key"] = alert.key;
    list.push_back(std::move(o));
    ids.push_back(id);
  }
  std::string body = boost::json::serialize(boost::json::object{{"alerts", std::move(list)}});
  auto response = co_await http->post_json(url, std::move(body));
  if (!response || response->status < 200 || response->status >= 300) {
    spdlog::warn("shop: alert webhook failed: {}", response ? "HTTP " + std::to_string(response->status) : response.error().message);
    co_return;
  }
  auto mark = [store, ids] { return store->mark_delivered(ids); };
  auto st = co_await pool->run(std::move(mark));
  if (!st) spdlog::error("shop: alerts not marked delivered: {}", st.error().message);
}

}  // namespace

ShopService::ShopService(asio::any_io_executor executor, ShopStore& store, BlockingPool& pool, ShopServiceOptions options)
    : state_(std::make_shared<State>()), store_(store), pool_(pool), options_(std::move(options)) {
  state_->executor = std::move(executor);
  if (options_.metrics) state_->metrics = std::make_shared<ShopMetrics>(options_.metrics->registry());
  if (!options_.alert_webhook.empty()) {
    net::HttpClientOptions http;
    http.max_idle_per_host = 0;  // no pooled sockets to outlive the context
    http.request_timeout = std::chrono::seconds(10);
    state_->http = std::make_unique<net::HttpClient>(state_->executor, http);
    state_->alert_webhook = options_.alert_webhook;
  }
  auto& context = asio::query(state_->executor, asio::execution::context);
  std::weak_ptr<State> weak = state_;
  asio::use_service<ContextGuard>(context).add([weak] {
    auto state = weak.lock();
    if (!state) return;
    std::map<std::string, std::shared_ptr<ShopBot>> bots;
    std::vector<std::shared_ptr<asio::steady_timer>> timers;
    std::unique_ptr<BlockingPool> writer;
    std::unique_ptr<net::HttpClient> http;
    {
      std::lock_guard lock(state->mu);
      state->stopped = true;
      state->context_gone = true;
      bots.swap(state->bots);
      timers.swap(state->timers);
      writer.swap(state->writer);
      http.swap(state->http);
    }
    writer.reset();  // joins a running write; drops queued ones while the context still exists
  });
  for (const auto& shop : options_.shops) {
    BotOptions b = options_.bot;
    b.shop = shop.code;
    b.login = shop.bot_login;
    auto key = options_.keys.find(shop.code);
    b.key = key == options_.keys.end() ? std::string() : key->second;
    if (options_.leases) {
      auto lease = std::make_shared<BotLeaseState>();
      state_->leases[shop.code] = lease;
      b.may_use = [lease] { return lease->usable(); };
    }
    auto bot = ShopBot::create(state_->executor, std::move(b));
    state_->bots[shop.code] = bot;  // released when the context shuts down
  }
}

ShopService::~ShopService() { stop(); }

Status ShopService::init() {
  for (const auto& shop : options_.shops)
    if (auto id = store_.ensure_shop(shop); !id) return id.error();
  return {};
}

bool ShopService::has_shop(const std::string& code) const {
  for (const auto& shop : options_.shops)
    if (shop.code == code) return true;
  return false;
}

namespace {

asio::awaitable<void> sleep_ms(std::int64_t ms) {
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

// Until the first attempt to take the lease has an answer.
asio::awaitable<void> lease_settled(std::shared_ptr<BotLeaseState> lease) {
  while (lease && lease->state == BotLeaseState::unknown) co_await sleep_ms(20);
}

struct LeaseKeeper {
  BotLeases* leases;
  BlockingPool* pool;
  std::string shop, login, owner;
  std::chrono::milliseconds lease;
};

// Takes and renews one bot account's lease every third of its lifetime until the service
// stops; a lost lease closes the bot's connection at once.
asio::awaitable<void> keep_lease(std::shared_ptr<ShopService::State> state, std::shared_ptr<ShopBot> bot,
                                 std::shared_ptr<BotLeaseState> lease, std::shared_ptr<asio::steady_timer> timer, LeaseKeeper k);

}  // namespace

void ShopService::start() {
  for (auto& [code, bot] : state_->bots) bot->start();
  for (const auto& shop : options_.shops) {
    auto lease = state_->leases.find(shop.code);
    if (lease == state_->leases.end() || options_.disabled.count(shop.code) || !options_.keys.count(shop.code)) continue;
    auto timer = std::make_shared<asio::steady_timer>(state_->executor);
    state_->timers.push_back(timer);
    asio::co_spawn(state_->executor,
                   keep_lease(state_, state_->bots.at(shop.code), lease->second, timer,
                              {options_.leases, &pool_, shop.code, shop.bot_login, options_.instance_id, options_.lease}),
                   asio::detached);
  }
  if (options_.interval.count() <= 0 && !options_.snapshot_on_start) return;
  for (const auto& shop : options_.shops) {
    if (options_.disabled.count(shop.code)) continue;
    if (!options_.keys.count(shop.code) || options_.keys.at(shop.code).empty()) {
      spdlog::warn("shop {}: no bot key configured (shop.bot_keys); no scheduled snapshots", shop.code);
      continue;
    }
    auto timer = std::make_shared<asio::steady_timer>(state_->executor);
    state_->timers.push_back(timer);
    auto code = shop.code;
    auto self = this;
    auto state = state_;
    const auto interval = options_.interval;
    const bool first_now = options_.snapshot_on_start;
    std::shared_ptr<BotLeaseState> lease;
    if (auto it = state_->leases.find(code); it != state_->leases.end()) lease = it->second;
    asio::co_spawn(
        state_->executor,
        [timer, code, self, state, interval, first_now, lease]() -> asio::awaitable<void> {
          bool first = true;
          for (;;) {
            if (!first || !first_now) {
              if (interval.count() <= 0) co_return;
              timer->expires_after(interval);
              auto r = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
              if (std::get<0>(r)) co_return;  // cancelled: stopping
            }
            first = false;
            {
              std::lock_guard lock(state->mu);
              if (state->stopped) co_return;
            }
            co_await lease_settled(lease);
            if (lease && lease->state != BotLeaseState::held) continue;  // the holder's schedule takes it
            auto id = self->trigger(code, "schedule");
            if (!id) spdlog::warn("shop {}: scheduled snapshot not queued: {}", code, id.error().message);
          }
        },
        asio::detached);
  }
}

void ShopService::stop() {
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopped || state_->context_gone) return;
    state_->stopped = true;
  }
  for (auto& t : state_->timers) asio::post(state_->executor, [t] { t->cancel(); });
  std::lock_guard lock(state_->mu);
  for (auto& [code, bot] : state_->bots) bot->stop();
}

asio::awaitable<void> ShopService::drain() {
  stop();
  if (!options_.leases) co_return;
  // Given back, so that another instance takes the bots over without waiting for the leases to run out.
  for (const auto& shop : options_.shops) {
    auto it = state_->leases.find(shop.code);
    if (it == state_->leases.end() || it->second->state != BotLeaseState::held) continue;
    it->second->state = BotLeaseState::unknown;  // the bot may not log in again
    std::shared_ptr<ShopBot> bot;
    {
      std::lock_guard lock(state_->mu);
      if (auto b = state_->bots.find(shop.code); b != state_->bots.end()) bot = b->second;
    }
    if (bot) co_await bot->disconnect("stopping");
    auto released = co_await pool_.run([&] { return options_.leases->release(shop.bot_login, options_.instance_id); });
    if (!released) spdlog::warn("shop {}: lease of bot '{}' not released: {}", shop.code, shop.bot_login, released.error().code);
  }
}

Result<std::string> ShopService::trigger(const std::string& shop, std::string started_by) {
  std::shared_ptr<ShopBot> bot;
  BlockingPool* pool = nullptr;
  {
    std::lock_guard lock(state_->mu);
    auto it = state_->bots.find(shop);
    if (it == state_->bots.end()) return Error::bad_request("Unknown shop: " + shop, "unknown_shop");
    if (state_->stopped) return Error::unavailable("shop_stopped", "the shop service is stopping");
    bot = it->second;
    pool = state_->writer.get();
  }
  if (options_.disabled.count(shop)) return Error::bad_request("Bot for " + shop + " is disabled", "shop_disabled");
  if (bot->options().key.empty())
    return Error::unavailable("no_bot_key", "Bot key not configured for " + shop + ". Set shop.bot_keys (" + shop + ":<key>).");
  std::shared_ptr<BotLeaseState> lease;
  if (auto it = state_->leases.find(shop); it != state_->leases.end()) lease = it->second;
  if (lease && lease->state == BotLeaseState::elsewhere) {
    std::lock_guard lock(lease->mu);
    return Error::make(ErrorKind::conflict, "shop_bot_elsewhere",
                       "Bot for " + shop + " is held by instance " + (lease->holder.empty() ? "(unknown)" : lease->holder) +
                           "; trigger the snapshot there");
  }
  JobInfo job;
  job.id = "job-" + crypto::random_hex(8);
  job.shop = shop;
  job.started_by = std::move(started_by);
  job.created_at = unix_now();
  job.categories_total = options_.categories.size();
  state_->put(job, options_.max_jobs_kept);
  auto state = state_;
  auto* store = &store_;
  auto categories = options_.categories;
  auto crawl = options_.crawl;
  const auto id = job.id;
  const auto by = job.started_by;
  auto rules = options_.watch_rules;
  const auto retention = options_.retention;
  bot->submit([state, store, pool, bot, id, shop, categories, crawl, by, rules, retention, lease]() -> asio::awaitable<void> {
    co_await lease_settled(lease);
    state->edit(id, [](JobInfo& j) {
      j.state = "running";
      j.started_at = unix_now();
    });
    spdlog::info("shop {}: snapshot {} started ({})", shop, id, by);
    auto progress = [state, id](const CategoryResult&, std::size_t done, std::size_t) {
      state->edit(id, [done](JobInfo& j) { j.categories_done = done; });
    };
    auto data = co_await take_snapshot(*bot, shop, categories, crawl, by, progress);
    if (state->metrics) state->metrics->record(data);
    // Stored, then the watch rules over its diff (in the same blocking call: it needs the items).
    auto saved_work = [store, rules, retention, data = std::move(data)]() -> std::pair<Result<SavedSnapshot>, std::vector<std::pair<std::int64_t, Alert>>> {
      auto saved_snapshot = store->save_snapshot(data);
      if (saved_snapshot && retention.count() > 0) {
        auto dropped = store->prune(data.shop, data.finished_at - std::chrono::duration_cast<std::chrono::seconds>(retention).count());
        if (!dropped) spdlog::error("shop {}: retention: {}", data.shop, dropped.error().message);
        else if (*dropped > 0) spdlog::info("shop {}: retention dropped {} old snapshot(s)", data.shop, *dropped);
      }
      std::vector<std::pair<std::int64_t, Alert>> fresh;
      if (!saved_snapshot || rules.empty() || !saved_snapshot->previous_id) return {std::move(saved_snapshot), std::move(fresh)};
      auto changes = store->diff(*saved_snapshot->previous_id, saved_snapshot->id);
      auto owners = store->snapshot_owners(*saved_snapshot->previous_id);
      if (!changes || !owners) return {std::move(saved_snapshot), std::move(fresh)};
      DiffContext ctx{data.shop, saved_snapshot->id, &*changes, &data.items, &*owners};
      auto recorded = store->record_alerts(evaluate(rules, ctx));
      if (recorded) fresh = std::move(*recorded);
      else spdlog::error("shop {}: alerts not recorded: {}", data.shop, recorded.error().message);
      return {std::move(saved_snapshot), std::move(fresh)};
    };  // named: GCC 12 and temporaries in co_await
    auto outcome = co_await pool->run(std::move(saved_work));
    auto& saved = outcome.first;
    if (!outcome.second.empty()) co_await deliver_alerts(state, store, pool, std::move(outcome.second));
    state->edit(id, [&](JobInfo& j) {
      j.finished_at = unix_now();
      if (!saved) {
        j.state = "failed";
        j.error = saved.error().message;
        return;
      }
      j.snapshot = *saved;
      j.state = saved->status == "failed" ? "failed" : "done";
      if (saved->status != "ok") j.error = "snapshot " + saved->status;
    });
    if (saved)
      spdlog::info("shop {}: snapshot #{} {} — {} items, {} changes", shop, saved->id, saved->status, saved->items, saved->changes);
    else
      spdlog::error("shop {}: snapshot not stored: {}", shop, saved.error().message);
  });
  return id;
}

std::optional<JobInfo> ShopService::job(const std::string& id) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->jobs.find(id);
  if (it == state_->jobs.end()) return std::nullopt;
  return it->second;
}

std::vector<BotStatus> ShopService::bots() const {
  std::vector<BotStatus> out;
  std::lock_guard lock(state_->mu);
  for (const auto& shop : options_.shops)
    if (auto it = state_->bots.find(shop.code); it != state_->bots.end()) {
      BotStatus s = it->second->status();
      if (auto l = state_->leases.find(shop.code); l != state_->leases.end()) {
        const int held = l->second->state;
        s.lease = held == BotLeaseState::held ? "held" : held == BotLeaseState::elsewhere ? "elsewhere" : "unknown";
        std::lock_guard hold(l->second->mu);
        s.lease_holder = held == BotLeaseState::held ? options_.instance_id : l->second->holder;
      }
      out.push_back(std::move(s));
    }
  return out;
}

namespace {

asio::awaitable<void> keep_lease(std::shared_ptr<ShopService::State> state, std::shared_ptr<ShopBot> bot,
                                 std::shared_ptr<BotLeaseState> lease, std::shared_ptr<asio::steady_timer> timer, LeaseKeeper k) {
  const std::int64_t span = k.lease.count();
  for (;;) {
    {
      std::lock_guard lock(state->mu);
      if (state->stopped) break;
    }
    const std::int64_t began = steady_ms();
    const std::int64_t t = unix_ms();
    auto held = co_await k.pool->run([&] { return k.leases->hold(k.login, k.owner, t + span, t); });
    const bool had = lease->state == BotLeaseState::held;
    if (held && *held) {
      lease->valid_until = began + span * 2 / 3;
      lease->state = BotLeaseState::held;
      if (!had) spdlog::info("shop {}: this instance ({}) holds bot '{}'", k.shop, k.owner, k.login);
    } else if (held) {
      auto holder = co_await k.pool->run([&] { return k.leases->holder(k.login, unix_ms()); });
      {
        std::lock_guard lock(lease->mu);
        lease->holder = holder && *holder ? **holder : std::string();
      }
      lease->state = BotLeaseState::elsewhere;
      if (had) {
        spdlog::warn("shop {}: the lease of bot '{}' went to another instance; logging out", k.shop, k.login);
        co_await bot->disconnect("another instance holds the bot account");
      }
    } else {
      // The database did not answer: the bot stops by itself when valid_until passes.
      spdlog::warn("shop {}: lease of bot '{}' not renewed: {}", k.shop, k.login, held.error().code);
      if (lease->state == BotLeaseState::unknown) lease->state = BotLeaseState::elsewhere;
    }
    timer->expires_after(std::chrono::milliseconds(span / 3));
    auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) break;  // cancelled: stopping
  }
}

}  // namespace

}  // namespace tzr::shop
