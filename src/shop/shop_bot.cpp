#include "shop/shop_bot.hpp"

#include "game/io_deadline.hpp"

#include "shop/page_parser.hpp"
#include "shop/shop_protocol.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <deque>
#include <mutex>

// GCC 12: every co_await stands alone in its own statement; coroutines take values.

namespace tzr::shop {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;
using game::IoResult;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Error bot_error(std::string code, std::string message) {
  return Error::make(ErrorKind::bad_gateway, std::move(code), std::move(message));
}

}  // namespace

struct ShopBot::Impl {
  Impl(asio::any_io_executor ex, BotOptions opts)
      : strand(asio::make_strand(ex)), options(std::move(opts)), wake(strand), rng(options.jitter_seed),
        reader(options.max_message_bytes) {
    status.shop = options.shop;
    status.login = options.login;
  }

  asio::strand<asio::any_io_executor> strand;
  BotOptions options;
  asio::steady_timer wake;
  std::mt19937_64 rng;
  std::optional<tcp::socket> socket;
  FrameReader reader;
  bool stopped = false;
  std::deque<Job> jobs;
  Clock::time_point last_sent{};
  Clock::time_point last_request{};
  Clock::time_point next_connect_at{};
  Clock::time_point breaker_until{};
  int connect_failures = 0;

  mutable std::mutex status_mu;
  BotStatus status;

  template <class F>
  void update(F f) {
    std::lock_guard lock(status_mu);
    f(status);
  }

  void close(const std::string& why) {
    if (!socket) return;
    error_code ignored;
    socket->shutdown(tcp::socket::shutdown_both, ignored);
    socket->close(ignored);
    socket.reset();
    reader.clear();
    update([&](BotStatus& s) {
      s.connected = false;
      s.authenticated = false;
      if (!why.empty()) s.last_error = why;
    });
  }

  std::chrono::milliseconds backoff() {
    const auto base = options.backoff_base.count() << std::min(connect_failures, 16);
    const auto capped = std::min<std::int64_t>(base, options.backoff_max.count());
    std::uniform_int_distribution<std::int64_t> jitter(capped / 2, std::max<std::int64_t>(capped / 2, capped));
    return std::chrono::milliseconds(jitter(rng));  // "equal jitter": half fixed, half random
  }

  asio::awaitable<bool> send(std::string frame, Clock::time_point deadline) {
    if (!socket) co_return false;
    auto r = co_await game::until_deadline(asio::async_write(*socket, asio::buffer(frame), asio::deferred), deadline);
    if (r.ec) {
      close("send failed: " + r.ec.message());
      co_return false;
    }
    last_sent = Clock::now();
    co_return true;
  }

  enum class ReadEnd { message, timeout, closed, too_large };
  struct ReadResult {
    ReadEnd end = ReadEnd::message;
    std::string message;
    std::string detail;
  };

  // The next whole message, or why there is none by the deadline.
  asio::awaitable<ReadResult> read_message(Clock::time_point deadline) {
    std::array<char, 8192> chunk{};
    for (;;) {
      if (auto msg = reader.next()) co_return ReadResult{ReadEnd::message, std::move(*msg), {}};
      if (!socket) co_return ReadResult{ReadEnd::closed, {}, "not connected"};
      auto r = co_await game::until_deadline(socket->async_read_some(asio::buffer(chunk), asio::deferred), deadline);
      if (r.bytes > 0) {
        auto st = reader.append(std::string_view(chunk.data(), r.bytes));
        if (!st) co_return ReadResult{ReadEnd::too_large, {}, st.error().message};
        continue;
      }
      if (r.ec == asio::error::timed_out) co_return ReadResult{ReadEnd::timeout, {}, "timeout"};
      if (r.ec) co_return ReadResult{ReadEnd::closed, {}, r.ec == asio::error::eof ? "connection closed by the server" : r.ec.message()};
    }
  }

  // Reads and drops messages until `quiet` passes without one (greeting, MYPARAM). An error
  // frame is returned (a refusal); a closed connection too.
  asio::awaitable<std::optional<ReadResult>> drain(std::chrono::milliseconds quiet, Clock::time_point hard_deadline,
                                                    bool stop_on_myparam) {
    for (;;) {
      auto deadline = std::min(Clock::now() + quiet, hard_deadline);
      auto r = co_await read_message(deadline);
      if (r.end == ReadEnd::timeout) co_return std::nullopt;
      if (r.end != ReadEnd::message) co_return r;
      if (classify(r.message) == MessageKind::error) co_return r;
      if (stop_on_myparam && r.message.find("<MYPARAM") != std::string::npos) co_return std::nullopt;
    }
  }

  Error refused(const std::string& text) {
    breaker_until = Clock::now() + options.breaker_cooldown;
    const auto until_unix = unix_now() + options.breaker_cooldown.count() / 1000;
    std::string message = "game server refused the login of bot '" + options.login + "' for shop " + options.shop + ": " + text +
                          " (check its key; no new login for " + std::to_string(options.breaker_cooldown.count() / 1000) + " s)";
    spdlog::error("shop {}: {}", options.shop, message);
    update([&](BotStatus& s) {
      ++s.login_refusals;
      s.breaker_open_until_unix = until_unix;
      s.last_error = message;
    });
    close("");
    return bot_error("shop_login_refused", message);
  }

  asio::awaitable<Status> connect_and_login() {
    if (options.key.empty())
      co_return bot_error("shop_no_bot_key", "no key configured for the bot of shop " + options.shop);
    if (Clock::now() < breaker_until) {
      co_return bot_error("shop_breaker_open", "login of bot '" + options.login + "' for shop " + options.shop +
                                                   " was refused; waiting for the cool-down before trying again");
    }
    // Backoff after failed attempts (with jitter, so several bots do not reconnect in step).
    if (auto wait = next_connect_at - Clock::now(); wait > Clock::duration::zero()) {
      asio::steady_timer t(strand, wait);
      auto r = co_await t.async_wait(use_tuple);
      (void)r;
      if (stopped) co_return bot_error("shop_stopped", "bot stopped");
    }
    auto fail = [this](std::string code, std::string message) {
      ++connect_failures;
      next_connect_at = Clock::now() + backoff();
      close(message);
      update([&](BotStatus& s) { s.last_error = message; });
      return bot_error(std::move(code), std::move(message));
    };
    const auto where = options.host + ":" + std::to_string(options.port);
    error_code ec;
    auto address = asio::ip::make_address(options.host, ec);
    tcp::endpoint endpoint;
    if (!ec) {
      endpoint = tcp::endpoint(address, options.port);
    } else {
      tcp::resolver resolver(strand);
      auto resolved = co_await resolver.async_resolve(options.host, std::to_string(options.port), use_tuple);
      if (std::get<0>(resolved) || std::get<1>(resolved).empty())
        co_return fail("shop_unreachable", "cannot resolve game server " + where);
      endpoint = std::get<1>(resolved).begin()->endpoint();
    }
    socket.emplace(strand);
    reader.clear();
    auto c = co_await game::until_deadline(socket->async_connect(endpoint, asio::deferred), Clock::now() + options.connect_timeout);
    if (c.ec) co_return fail("shop_unreachable", "game server " + where + " unreachable: " + c.ec.message());
    socket->set_option(tcp::no_delay(true), ec);
    update([](BotStatus& s) { s.connected = true; });
    const auto deadline = Clock::now() + options.login_timeout;
    // A greeting, if the server sends one, is read and dropped.
    auto greeting = co_await drain(options.greeting_wait, deadline, false);
    if (greeting && greeting->end == ReadEnd::message) co_return refused(error_text(greeting->message));
    if (greeting) co_return fail("shop_connection_closed", "game server closed the connection before LOGIN");
    update([](BotStatus& s) { ++s.logins; });
    std::string login = login_frame(options.login, options.key);  // named: GCC 12 and temporaries in co_await
    bool sent = co_await send(login, deadline);
    if (!sent) co_return fail("shop_connection_closed", "game server closed the connection at LOGIN");
    auto reply = co_await read_message(deadline);
    if (reply.end == ReadEnd::timeout) co_return fail("shop_login_timeout", "no answer to LOGIN from " + where);
    if (reply.end != ReadEnd::message) co_return fail("shop_connection_closed", "LOGIN: " + reply.detail);
    if (classify(reply.message) == MessageKind::error) co_return refused(error_text(reply.message));
    std::string getme = getme_frame();
    sent = co_await send(getme, deadline);
    if (!sent) co_return fail("shop_connection_closed", "game server closed the connection at GETME");
    auto after = co_await drain(options.greeting_wait, deadline, true);
    if (after && after->end == ReadEnd::message) co_return refused(error_text(after->message));
    if (after) co_return fail("shop_connection_closed", "GETME: " + after->detail);
    connect_failures = 0;
    update([](BotStatus& s) {
      s.authenticated = true;
      s.breaker_open_until_unix = 0;
      s.last_activity_unix = unix_now();
    });
    spdlog::info("shop {}: bot '{}' logged in", options.shop, options.login);
    co_return Status{};
  }

  asio::awaitable<Result<ShopPage>> fetch(PageRequest req) {
    if (stopped) co_return bot_error("shop_stopped", "bot stopped");
    if (!may_use()) {
      close("another instance holds the bot account");
      co_return bot_error("shop_bot_elsewhere", "another instance holds the lease of bot '" + options.login + "' for shop " + options.shop);
    }
    if (!socket) {
      update([](BotStatus& s) { ++s.reconnects; });
      auto st = co_await connect_and_login();
      if (!st) {
        update([](BotStatus& s) { ++s.failures; });
        co_return st.error();
      }
    }
    // Pacing: the game server is shared with players.
    if (auto wait = last_request + options.request_delay - Clock::now(); wait > Clock::duration::zero()) {
      asio::steady_timer t(strand, wait);
      auto r = co_await t.async_wait(use_tuple);
      (void)r;
    }
    const auto deadline = Clock::now() + options.request_timeout;
    last_request = Clock::now();
    update([](BotStatus& s) { ++s.requests; });
    auto fail = [this](std::string code, std::string message, bool drop) {
      if (drop) close(message);
      update([&](BotStatus& s) {
        ++s.failures;
        s.last_error = message;
      });
      return bot_error(std::move(code), std::move(message));
    };
    std::string frame = shop_frame(req.category, req.filter, req.page);
    bool sent = co_await send(frame, deadline);
    if (!sent) co_return fail("shop_connection_closed", "connection lost while sending SH", true);
    for (;;) {
      auto r = co_await read_message(deadline);
      if (r.end == ReadEnd::timeout)
        co_return fail("shop_timeout", "no reply to SH c=" + req.category + " p=" + std::to_string(req.page) + " in time", true);
      if (r.end == ReadEnd::too_large) co_return fail("shop_frame_too_large", r.detail, true);
      if (r.end == ReadEnd::closed) co_return fail("shop_connection_closed", r.detail, true);
      const auto kind = classify(r.message);
      if (kind == MessageKind::other) continue;  // MYPARAM and other pushes
      if (kind == MessageKind::error) co_return fail("shop_game_error", "game server: " + error_text(r.message), false);
      auto page = parse_page(r.message, PageLimits{options.max_message_bytes, 20'000});
      if (!page) co_return fail("shop_bad_reply", page.error().message, true);
      if (page->category != req.category || page->filter != req.filter)
        co_return fail("shop_echo_mismatch", "reply for c=" + page->category + " s=" + page->filter + " to a request for c=" +
                                                 req.category + " s=" + req.filter, true);
      update([](BotStatus& s) { s.last_activity_unix = unix_now(); });
      co_return std::move(*page);
    }
  }

  bool may_use() const { return !options.may_use || options.may_use(); }

  asio::awaitable<void> keepalive_if_due() {
    if (socket && !may_use()) close("another instance holds the bot account");
    if (!socket || Clock::now() - last_sent < options.keepalive) co_return;
    std::string frame = keepalive_frame();
    const auto deadline = Clock::now() + options.request_timeout;
    bool sent = co_await send(frame, deadline);
    if (sent) update([](BotStatus& s) {
      ++s.keepalives;
      s.last_activity_unix = unix_now();
    });
  }

  asio::awaitable<void> run(std::shared_ptr<Impl> self) {
    (void)self;  // keeps the bot alive while the loop runs
    while (!stopped) {
      if (jobs.empty()) {
        const auto due = socket ? last_sent + options.keepalive : Clock::now() + options.keepalive;
        wake.expires_at(std::max(due, Clock::now() + std::chrono::milliseconds(1)));
        auto r = co_await wake.async_wait(use_tuple);
        (void)r;
        if (stopped) break;
        if (jobs.empty()) {
          co_await keepalive_if_due();
          continue;
        }
      }
      auto job = std::move(jobs.front());
      jobs.pop_front();
      update([this](BotStatus& s) {
        s.busy = true;
        s.queued_jobs = jobs.size();
      });
      try {
        co_await job();
      } catch (const std::exception& e) {
        spdlog::error("shop {}: job failed: {}", options.shop, e.what());
      }
      update([](BotStatus& s) { s.busy = false; });
    }
    close("stopped");
  }
};

std::shared_ptr<ShopBot> ShopBot::create(asio::any_io_executor executor, BotOptions options) {
  return std::shared_ptr<ShopBot>(new ShopBot(std::make_shared<Impl>(std::move(executor), std::move(options))));
}

ShopBot::ShopBot(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
ShopBot::~ShopBot() = default;

void ShopBot::start() {
  auto impl = impl_;
  asio::co_spawn(impl->strand, impl->run(impl), asio::detached);
}

void ShopBot::stop() {
  auto impl = impl_;
  asio::post(impl->strand, [impl] {
    impl->stopped = true;
    impl->jobs.clear();
    impl->wake.cancel();
    impl->close("stopped");
  });
}

asio::awaitable<void> ShopBot::disconnect(std::string why) {
  auto impl = impl_;
  co_await asio::post(impl->strand, asio::use_awaitable);
  impl->close(why);
}

void ShopBot::submit(Job job) {
  auto impl = impl_;
  asio::post(impl->strand, [impl, job = std::move(job)]() mutable {
    if (impl->stopped) return;
    impl->jobs.push_back(std::move(job));
    impl->update([&](BotStatus& s) { s.queued_jobs = impl->jobs.size(); });
    impl->wake.cancel();
  });
}

asio::awaitable<Result<ShopPage>> ShopBot::fetch(PageRequest request) {
  auto impl = impl_;
  auto page = co_await impl->fetch(std::move(request));
  co_return page;
}

BotStatus ShopBot::status() const {
  std::lock_guard lock(impl_->status_mu);
  return impl_->status;
}

const BotOptions& ShopBot::options() const { return impl_->options; }

}  // namespace tzr::shop
