#pragma once
// Builds the feature objects of one process from its configuration, and the HTTP services
// that expose them.
#include "antibot/http.hpp"
#include "antibot/state_ingest.hpp"
#include "apidocs/docs_site.hpp"
#include "app/dashboard_wiring.hpp"
#include "app/runtime.hpp"
#include "battles/feature.hpp"
#include "game/game_client.hpp"
#include "gateway/gateway.hpp"
#include "net/http_service.hpp"
#include "net/system_routes.hpp"
#include "registration/game_accounts.hpp"
#include "registration/idempotency.hpp"
#include "registration/outbox.hpp"
#include "registration/outcomes.hpp"
#include "registration/register_player.hpp"
#include "shop/shop_service.hpp"
#include "status/server_status.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <vector>

namespace tzr::app {

struct Features {
  std::unique_ptr<storage::Database> game_db;
  std::unique_ptr<BlockingPool> game_db_pool;
  std::unique_ptr<game::GameClient> game_client;
  std::unique_ptr<registration::SocketGameAccounts> game_accounts;
  std::unique_ptr<gamedb::PlayerLinks> players;
  std::unique_ptr<registration::TelegramGate> telegram;
  std::unique_ptr<registration::SqlOutbox> outbox;
  std::unique_ptr<registration::IdempotencyStore> idempotency;
  std::unique_ptr<registration::OutcomeStore> outcome_store;
  std::unique_ptr<registration::OutcomeRecorder> outcomes;  // every registration attempt, written in batches
  std::unique_ptr<registration::GameDbLocks> game_db_locks;  // MySQL game DB only
  std::unique_ptr<registration::RegisterPlayer> register_player;
  std::unique_ptr<status::ConstantsCache> constants;
  std::unique_ptr<gateway::ApiKeys> api_keys;
  std::unique_ptr<gateway::RateLimiter> limiter;
  std::unique_ptr<gateway::GatewayDeps> gateway;
  std::unique_ptr<shop::SqlShopStore> shop_store;  // shop.enabled
  std::unique_ptr<shop::BotLeases> shop_leases;
  std::unique_ptr<shop::ShopService> shop;
  std::unique_ptr<antibot::StateAtIngest> antibot_state;  // antibot.state_at_ingest; outlives battles' writers
  std::unique_ptr<battles::BattlesFeature> battles;  // battles.enabled
  DashboardParts dashboard;                          // gateway.dashboard
  std::unique_ptr<antibot::AntibotHttp> antibot;     // with battles, on its port
  std::unique_ptr<apidocs::DocsSite> docs;           // gateway.docs
};

// Opens the game DB and builds the registration and status features.
Result<std::unique_ptr<Features>> build_features(Runtime& rt, boost::asio::any_io_executor executor);

// The enabled HTTP services with their routes, middleware and readiness checks.
Result<std::vector<std::shared_ptr<net::HttpService>>> build_services(Runtime& rt, Features& features);

// The shop feature's settings from the shop.* and game.* keys (shops, bot keys, pacing, breaker).
Result<shop::ShopServiceOptions> shop_service_options(const Config& config);

enum class SecretKind { hex, base64_key };
// Reads <var_dir>/<name>, creating it with a fresh random secret (mode 0600) the first time:
// 32 random bytes as hex (tokens, HMAC secrets) or as base64 (AES-256 keys).
Result<std::string> development_secret(const Config& config, const std::string& name, SecretKind kind = SecretKind::hex);

// This process's name among instances sharing a database (server.instance_id, else host name and
// the service's port): hub job claims and shop bot leases are held under it.
std::string instance_name(const Config& config, const std::string& port_key);

}  // namespace tzr::app
