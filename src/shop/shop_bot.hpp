#pragma once
// One bot account's connection to the game server (shop.md §1.2–§1.7, fixed): the only owner of
// its socket. Work is queued to it (submit) and runs one job at a time on the bot's strand; while
// idle it sends the keep-alive <N /> every keepalive interval. fetch() logs in on demand (greeting
// skipped, LOGIN answered with an error frame = refused, GETME drained), sends <SH c s p/>, reads
// NUL frames until the matching <SH> reply (MYPARAM and other pushes skipped, <ERROR>/<ERR> an
// immediate failure) within a per-request deadline, and paces requests. A failed connection is
// retried with exponential backoff and jitter; a refused login opens a circuit breaker for a
// cool-down, so a wrong key never becomes a login loop.
#include "core/error.hpp"
#include "shop/crawler.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

namespace tzr::shop {

struct BotOptions {
  std::string shop;   // shop code, for logs and errors
  std::string host = "127.0.0.1";
  std::uint16_t port = 5190;
  std::string login;  // "Sova Moscow"
  std::string key;    // the account key (a secret: never logged)
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{20000};  // one SH request: send + whole reply
  std::chrono::milliseconds login_timeout{10000};
  std::chrono::milliseconds greeting_wait{300};      // quiet time that ends greeting/GETME draining
  std::chrono::milliseconds keepalive{30000};
  std::chrono::milliseconds request_delay{0};        // at least this between two SH requests
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_max{60000};
  std::chrono::milliseconds breaker_cooldown{300000};
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  std::uint64_t jitter_seed = std::random_device{}();
  // When set, the bot logs in and sends only while this says yes (its instance holds the bot
  // account's lease); otherwise fetches fail with shop_bot_elsewhere and the connection closes.
  std::function<bool()> may_use;
};

struct BotStatus {
  std::string shop, login;
  bool connected = false;
  bool authenticated = false;
  std::int64_t logins = 0, login_refusals = 0, requests = 0, failures = 0, keepalives = 0, reconnects = 0;
  std::int64_t last_activity_unix = 0;  // 0: never
  std::int64_t breaker_open_until_unix = 0;  // 0: closed
  std::string last_error;
  std::size_t queued_jobs = 0;
  bool busy = false;
  std::string lease = "none";  // held (this instance owns the bot), elsewhere, or none (no lease kept)
  std::string lease_holder;    // the instance holding it, when known
};

// Error codes of fetch(): shop_login_refused (the server answered LOGIN/GETME with an error:
// breaker opened), shop_breaker_open, shop_no_bot_key, shop_unreachable, shop_login_timeout,
// shop_timeout (no reply by the deadline; the connection is dropped), shop_connection_closed,
// shop_game_error (an <ERROR>/<ERR> reply), shop_echo_mismatch, shop_bad_reply (not a parsable
// page), shop_frame_too_large, shop_stopped.
class ShopBot : public PageSource, public std::enable_shared_from_this<ShopBot> {
 public:
  static std::shared_ptr<ShopBot> create(boost::asio::any_io_executor executor, BotOptions options);
  ~ShopBot() override;

  // Starts the worker loop (jobs and keep-alive). Call once.
  void start();
  // Closes the connection, drops queued jobs and ends the loop. Thread-safe, idempotent.
  void stop();
  // Closes the game connection (the lease was lost); done when it is closed. The next fetch may
  // log in again.
  boost::asio::awaitable<void> disconnect(std::string why);

  // Queues a job; it runs on the bot's strand, where it may call fetch(). Thread-safe.
  using Job = std::function<boost::asio::awaitable<void>()>;
  void submit(Job job);

  // Must be called from a job (on the bot's strand).
  boost::asio::awaitable<Result<ShopPage>> fetch(PageRequest request) override;

  BotStatus status() const;
  const BotOptions& options() const;

 private:
  struct Impl;
  explicit ShopBot(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace tzr::shop
