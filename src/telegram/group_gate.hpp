#pragma once
// The registration's Telegram gate (registration.md §2.3 [T], §8.3): first the identity proof
// (Login Widget or Mini App initData), then membership of the configured group through the Bot
// API's getChatMember, with an explicit policy for when Telegram cannot answer.
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "registration/ports.hpp"
#include "telegram/bot_api.hpp"
#include "telegram/identity.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace prometheus {
class Counter;
}

namespace tzr::telegram {

// What to do when Telegram cannot say (transport error, 5xx, rate limit, bad token, bot not in
// the chat): closed refuses the registration (503 telegram_unavailable), open admits it.
enum class FailMode { closed, open };

struct GateOptions {
  std::string bot_token;  // for proofs; the Bot API client holds its own copy
  std::string group_id;   // "-100…" or "@name"; empty: no membership check
  FailMode fail_mode = FailMode::closed;
  std::int64_t cache_ttl_s = 60;  // positive answers only; 0: no cache
  std::size_t cache_capacity = 100'000;
  bool auth_required = false;  // refuse registrations without a proof
  IdentityPolicy identity;
};

using UnixClock = std::function<std::int64_t()>;  // Unix seconds

// Errors of admit(), all with ErrorKind::forbidden unless noted:
//   telegram_auth_invalid   a proof that does not verify, or verifies for another id
//   telegram_auth_required  no proof while auth_required is set
//   not_in_telegram_group   left, kicked, restricted without is_member, or Telegram's 400
//   telegram_unavailable    (unavailable) Telegram could not answer and fail_mode is closed
class GroupGate final : public registration::TelegramGate {
 public:
  GroupGate(BotApi api, GateOptions options, Metrics& metrics, UnixClock now);

  boost::asio::awaitable<Status> admit(std::int64_t telegram_id, std::optional<registration::TelegramProof> proof) override;

 private:
  Status check_identity(std::int64_t telegram_id, const std::optional<registration::TelegramProof>& proof);
  boost::asio::awaitable<Status> check_membership(std::int64_t telegram_id);
  Status unavailable(std::int64_t telegram_id, const Error& cause);
  bool cached(std::int64_t telegram_id);
  void remember(std::int64_t telegram_id);

  struct Outcomes {
    prometheus::Counter* member;
    prometheus::Counter* cached;
    prometheus::Counter* not_member;
    prometheus::Counter* skipped;
    prometheus::Counter* unavailable;
    prometheus::Counter* failed_open;
    prometheus::Counter* auth_invalid;
    prometheus::Counter* auth_required;
  };

  BotApi api_;
  GateOptions options_;
  Outcomes count_;
  UnixClock now_;
  std::mutex cache_mu_;
  std::unordered_map<std::int64_t, std::int64_t> members_until_;  // telegram id → Unix expiry
};

// Whether a getChatMember answer means "in the group" (§2.3 [T]: a restricted user still counts
// while is_member is true).
bool is_group_member(const ChatMember& member);

// The gate the telegram.* keys ask for: AllowAllTelegram when telegram.bot_token is empty.
// Error config_error for settings that cannot work (a bad api_base, auth_required without a token).
Result<std::unique_ptr<registration::TelegramGate>> make_telegram_gate(const Config& config,
                                                                       boost::asio::any_io_executor executor,
                                                                       Metrics& metrics);

}  // namespace tzr::telegram
