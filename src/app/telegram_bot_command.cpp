#include "app/telegram_bot_command.hpp"

#include "app/features.hpp"
#include "app/runtime.hpp"
#include "core/log.hpp"
#include "registration/reset_password.hpp"
#include "registration/routes.hpp"
#include "telegram/bot_client.hpp"
#include "telegram/bot_dialog.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>

namespace tzr::app {
namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The bot's accounts: the registration and reset use cases of this process.
class FeatureAccounts final : public telegram::BotAccounts {
 public:
  explicit FeatureAccounts(Features& f)
      : f_(f), passwords_(*f.game_client), reset_(*f.players, passwords_, *f.telegram, *f.game_db_pool, *f.limiter) {}

  boost::asio::awaitable<Status> register_account(registration::RegistrationRequest request) override {
    const auto started = std::chrono::steady_clock::now();
    std::string login = registration::outcome_login(request.login);
    Status st = co_await f_.register_player->run(std::move(request));
    registration::record_outcome(f_.gateway->registration, st ? std::string("ok") : st.error().code, "telegram_bot",
                                 std::move(login), started);
    co_return st;
  }
  boost::asio::awaitable<registration::ResetResult> reset_passwords(registration::PasswordResetRequest request) override {
    registration::ResetResult r = co_await reset_.run(std::move(request));
    co_return r;
  }
  boost::asio::awaitable<Result<std::vector<std::string>>> logins(std::int64_t telegram_id) override {
    auto* players = f_.players.get();
    auto r = co_await f_.game_db_pool->run([players, telegram_id] { return players->logins_for(telegram_id); });
    co_return r;
  }

 private:
  Features& f_;
  registration::SocketGamePasswords passwords_;
  registration::ResetPassword reset_;
};

}  // namespace

int cmd_telegram_bot(const GlobalOptions& global) {
  auto config = load_config(global);
  if (!config) return fail(config.error());
  log::init(config->string("log.level"), log::format_from_string(config->string("log.format")));
  const std::string token = config->string("telegram.bot_token");
  if (token.empty()) return fail(Error::bad_request("telegram-bot needs telegram.bot_token", "config_error"));
  // Updates come from Telegram over the bot's own token: the sender's id is already verified, so
  // no Login Widget proof is asked for; group membership is still checked.
  if (auto st = config->set("telegram.auth_required", "false"); !st) return fail(st.error());
  const std::string api_base = config->string("telegram.api_base");

  auto rt = open_runtime(std::move(*config));
  if (!rt) return fail(rt.error());
  // The io_context is destroyed explicitly below, before the features its pending coroutines use.
  auto io = std::make_unique<boost::asio::io_context>();
  auto features = build_features(**rt, io->get_executor());
  if (!features) return fail(features.error());
  {
    FeatureAccounts accounts(**features);
    telegram::SqlConversationStore store(*(*rt)->db);
    telegram::BotDialog dialog(store, accounts, *(*rt)->blocking, unix_now);
    net::HttpClientOptions http;
    http.request_timeout = std::chrono::seconds(40);
    std::optional<telegram::BotClient> client;
    client.emplace(net::HttpClient(io->get_executor(), http), telegram::BotClientOptions{api_base, token, 25});

    std::atomic<bool> stop{false};
    std::optional<boost::asio::signal_set> signals;
    signals.emplace(*io, SIGINT, SIGTERM);
    signals->async_wait([&](const boost::system::error_code&, int) {
      stop = true;
      io->stop();  // cuts the pending long poll; an update being handled is re-delivered next time
    });
    boost::asio::co_spawn(*io, telegram::run_bot(*client, dialog, stop), boost::asio::detached);
    std::printf("tzrhost: telegram-bot polling %s\n", api_base.c_str());
    std::fflush(stdout);
    io->run();
    // Shutdown order: database threads (they may hold io executors), then the objects bound to
    // the io_context, then the io_context with its pending coroutine frames — while the dialog,
    // the features and the runtime those frames point into are still alive.
    (*rt)->blocking->stop();
    (*features)->game_db_pool->stop();
    signals.reset();
    client.reset();
    io.reset();
  }
  spdlog::info("telegram bot stopped");
  return 0;
}

}  // namespace tzr::app
