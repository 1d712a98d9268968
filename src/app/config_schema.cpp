#include "app/config_schema.hpp"

#include <vector>

namespace tzr::app {
namespace {

using namespace config_key;
constexpr std::int64_t kMiB = 1 << 20;
constexpr std::int64_t kHour = 3'600'000;

const std::vector<ConfigKey>& keys() {
  static const std::vector<ConfigKey> k = {
      // Limits shared by every HTTP service of this process.
      text("server", "bind", "127.0.0.1", "Address every HTTP service listens on (0.0.0.0 for all interfaces)."),
      integer("server", "threads", "2", 1, 256, "I/O threads serving HTTP."),
      integer("server", "max_body_bytes", "1048576", 1, 256 * kMiB, "Largest request body accepted (larger: 413)."),
      integer("server", "max_header_bytes", "16384", 1024, kMiB, "Largest request header block (larger: 431)."),
      integer("server", "read_timeout_ms", "10000", 10, kHour, "Time allowed to receive one whole request."),
      integer("server", "idle_timeout_ms", "60000", 10, kHour, "Keep-alive wait for the next request on a connection."),
      integer("server", "write_timeout_ms", "30000", 10, kHour, "Time allowed to send one response."),
      integer("server", "max_connections", "10000", 1, 1'000'000, "Open connections beyond this are closed at once."),
      integer("server", "max_requests_per_connection", "10000", 1, 100'000'000,
              "Requests served on one keep-alive connection before it is closed."),
      integer("server", "shutdown_grace_ms", "10000", 0, kHour, "On SIGTERM, how long in-flight requests may take to finish."),
      integer("server", "json_max_depth", "32", 1, 512, "Deepest JSON nesting accepted in request bodies."),
      text("server", "var_dir", "var", "Folder for generated development secrets and local data."),

      boolean("gateway", "enabled", "true", "Run the public gateway service."),
      integer("gateway", "port", "8090", 0, 65535, "Port of the public gateway (0: any free port)."),
      secret_list("gateway", "api_keys", "API keys for POST /api/register: name:key entries (keys of 16+ characters; `tzrhost keygen` makes one)."),
      text("gateway", "api_keys_file", "", "A file of API keys, one 'name key' per line; re-read on SIGHUP."),
      list("gateway", "cors_origins", "", "Origins allowed to call the gateway from a browser (exact, or * for any); empty: none."),
      list("gateway", "trusted_proxies", "", "Peer addresses whose X-Forwarded-For is believed (your load balancer)."),
      integer("gateway", "register_ip_per_min", "10", 1, 1'000'000, "POST /api/register: requests per minute per client IP."),
      integer("gateway", "register_ip_burst", "3", 0, 1'000'000, "POST /api/register: extra back-to-back requests per client IP."),
      integer("gateway", "register_key_per_min", "100", 1, 1'000'000, "POST /api/register: requests per minute per API key."),
      integer("gateway", "register_key_burst", "20", 0, 1'000'000, "POST /api/register: burst per API key."),
      integer("gateway", "status_ip_per_min", "30", 1, 1'000'000, "GET /api/server/status: requests per minute per client IP."),
      integer("gateway", "status_ip_burst", "10", 0, 1'000'000, "GET /api/server/status: burst per client IP."),
      integer("gateway", "auth_failures_per_min", "10", 1, 1'000'000, "Requests with a missing or wrong API key allowed per minute per IP."),
      integer("gateway", "auth_failures_burst", "5", 0, 1'000'000, "Burst of requests with a wrong API key per IP."),

      boolean("orchestrator", "enabled", "true", "Run the orchestrator (internal API: /internal/register, /internal/constants)."),
      integer("orchestrator", "port", "9000", 0, 65535, "Port of the orchestrator."),
      boolean("registration", "enabled", "true", "Run the public registration facade (POST /register)."),
      integer("registration", "port", "8082", 0, 65535, "Port of the registration facade."),
      integer("registration", "max_accounts_per_telegram", "5", 1, 1000, "Game accounts one Telegram user may own."),
      text("registration", "adduser_email", "test@test.ru", "The m= attribute of ADDUSER (the game requires one)."),
      list("registration", "game_error_codes", "USER_EXISTS=login_taken,LOGIN_EXISTS=login_taken",
           "Game ERR codes mapped to API errors, CODE=api_code (login_taken gives 409, others 403); unlisted codes give 502."),
      integer("registration", "idempotency_ttl_s", "86400", 60, 30 * 86400, "How long a Request-Id's response is replayed."),

      secret("telegram", "bot_token", "Bot API token; empty: no Telegram checks at all."),
      text("telegram", "api_base", "https://api.telegram.org", "Bot API base URL (a test double or a local Bot API server)."),
      text("telegram", "group_id", "", "Group whose members may register (-100… or @name); empty: no membership check."),
      integer("telegram", "timeout_ms", "5000", 100, 60'000, "Deadline of one Bot API call."),
      choice("telegram", "fail_mode", "closed", {"closed", "open"},
             "When Telegram cannot answer: closed refuses the registration (503), open admits it with a warning."),
      integer("telegram", "cache_ttl_s", "60", 0, 86400, "How long a confirmed membership is trusted without asking again."),
      boolean("telegram", "auth_required", "false", "Refuse registrations without a verified Telegram login (widget or Mini App)."),
      integer("telegram", "auth_max_age_s", "86400", 60, 30 * 86400, "Oldest Telegram login (auth_date) accepted."),
      boolean("status", "enabled", "true", "Run the server status service (GET /server/status)."),
      integer("status", "port", "8081", 0, 65535, "Port of the server status service."),
      integer("status", "cache_ttl_ms", "30000", 0, 3'600'000, "How long a read of the constants table is served before re-reading."),

      boolean("battles", "enabled", "true", "Run the battles service (battle logs: list, detail, raw, upload, ingest status)."),
      integer("battles", "port", "8084", 0, 65535, "Port of the battles service."),
      text("battles", "raw_dir", "", "Folder of the compressed raw battle logs; empty: <server.var_dir>/raw."),
      text("battles", "watch_dir", "", "A folder watched for new .tzb/.tzb.gz files to ingest (moved to processed/ or failed/ after); empty: off."),
      integer("battles", "watch_interval_ms", "2000", 100, kHour, "How often the watched folder is scanned."),
      integer("battles", "max_log_bytes", "67108864", 1024, 1024 * kMiB, "Largest battle log accepted (uncompressed); larger is recorded as failed."),
      integer("battles", "upload_max_bytes", "16777216", 1024, 1024 * kMiB, "Largest body of POST /battles/upload (larger: 413)."),
      integer("battles", "ingest_batch", "500", 1, 100'000, "Battles written per database transaction when ingesting."),
      boolean("battles", "sync_enabled", "false", "Fetch battle logs from the game server by id (sync workers, one per account)."),
      secret_list("battles", "sync_accounts", "Game accounts of the sync workers, login:key entries (one long-lived session each)."),
      integer("battles", "sync_start_id", "1", 1, 4'000'000'000'000, "First battle id the forward cursor fetches when nothing was fetched yet."),
      integer("battles", "sync_backfill_to", "0", 0, 4'000'000'000'000, "Lowest battle id the backfill cursor walks down to (0: no backfill)."),
      integer("battles", "sync_max_attempts", "5", 1, 100, "Fetch attempts per battle id before it is marked failed."),
      integer("battles", "sync_backoff_ms", "1000", 0, kHour, "First retry delay of a battle id; doubles per attempt."),
      integer("battles", "sync_timeout_ms", "20000", 50, 600'000, "Deadline of one battle request on the game socket."),
      integer("battles", "sync_not_found_after", "50", 1, 1'000'000, "Consecutive missing ids after which the forward cursor waits (the newest battle was reached)."),

      text("game", "host", "127.0.0.1", "Game server address (its XML socket)."),
      integer("game", "port", "5190", 1, 65535, "Game server port."),
      integer("game", "timeout_ms", "10000", 50, 600'000, "Deadline of one game-server call (connect, send, reply)."),
      integer("game", "connect_timeout_ms", "3000", 50, 600'000, "Deadline of one connection attempt."),
      integer("game", "connect_attempts", "3", 1, 10, "Connection attempts before giving up (only while nothing was sent)."),
      boolean("game", "expect_greeting", "false", "The game server sends one message on connect, to be skipped."),
      integer("game", "pool_size", "4", 0, 256, "Idle game-server connections kept for reuse."),

      text("game_db", "url", "sqlite://var/game.db", "The game's DB (tgplayers, constants): sqlite://path or mysql://user:pass@host:3306/tzserver."),
      integer("game_db", "pool_size", "4", 1, 256, "Connections to the game DB."),
      boolean("game_db", "create_tables", "true", "Create tgplayers and constants if they are missing."),
      boolean("game_db", "seed_constants", "false", "Insert the reference seed rows of constants if they are missing."),

      text("storage", "url", "sqlite://var/tzr.db",
           "Platform database: sqlite://relative/path.db, sqlite:///absolute/path.db or postgresql://user:pass@host:port/db."),
      integer("storage", "pool_size", "4", 1, 256, "Database connections, and threads running blocking database work."),
      integer("storage", "busy_timeout_ms", "5000", 0, 600'000, "SQLite: how long a writer waits for the lock."),
      boolean("storage", "migrate_on_start", "true", "Apply pending schema migrations when a service starts."),

      secret("bridge", "hmac_secret", "HMAC-SHA256 secret shared with the site (signs jobs and results); empty: a development secret in var/."),
      secret("bridge", "aes_key", "AES-256-GCM key for passwords in jobs: base64 of exactly 32 bytes (`tzrhost keygen --kind aes`)."),
      secret("bridge", "jwt_secret", "HS256 secret of the agent's JWT."),

      text("redis", "url", "", "Redis for state shared by several instances (rate limits): redis://[:password@]host:6379/0; empty: in process."),
      text("redis", "prefix", "tzr:", "Prefix of every Redis key this deployment writes."),

      choice("log", "level", "info", {"trace", "debug", "info", "warn", "error", "critical", "off"},
             "trace, debug, info, warn, error, critical or off."),
      choice("log", "format", "text", {"text", "json"}, "text (for people) or json (one object per line, for collectors)."),
      boolean("log", "access", "true", "Log one line per HTTP request."),

      secret("admin", "token", "Bearer token for /internal/* and admin routes (empty: those routes are refused)."),
  };
  return k;
}

}  // namespace

std::span<const ConfigKey> config_schema() { return keys(); }

}  // namespace tzr::app
