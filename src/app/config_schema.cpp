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
      integer("battles", "sync_lease_ms", "60000", 100, kHour, "How long a worker holds a battle id it is fetching; a killed worker's ids go to the others after it."),
      integer("battles", "sync_not_found_after", "50", 1, 1'000'000, "Consecutive missing ids after which the forward cursor waits (the newest battle was reached)."),
      text("antibot", "model_path", "", "Bot detector model JSON served on the battles port (`tzrhost antibot train --out`, or POST /api/admin/ml/train-botdetector); empty: <server.var_dir>/antibot-model.json."),
      text("antibot", "timezone", "Europe/Moscow", "Default IANA zone of the player activity heatmap (GET /api/analytics/player/{login}?tz=)."),

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
      secret("bridge", "jwt_secret", "HS256 secret of the agent's JWT (the hub verifies it; an agent holding it mints its own short tokens); empty: a development secret in var/."),
      secret("bridge", "hmac_secret_previous", "During a rotation: the HMAC secret being replaced; frames signed with it are still accepted (new ones use hmac_secret). Empty: none."),
      secret("bridge", "aes_key_previous", "During a rotation: the AES key being replaced (base64 of 32 bytes); password blobs made with it still decrypt. Empty: none."),
      secret("bridge", "jwt_secret_previous", "During a rotation: the JWT secret being replaced; agent tokens signed with it are still accepted by the hub. Empty: none."),

      boolean("hub", "enabled", "false", "Run the site hub (`tzrhost site-hub` turns it on): the site's end of the bridge."),
      integer("hub", "port", "8070", 0, 65535, "Port of the site hub: /ws/pull for agents, /proxy/* for the site's back end."),
      secret_list("hub", "api_keys", "API keys for /proxy/*: name:key entries (16+ characters); empty: a development key in var/hub.key."),
      text("hub", "api_keys_file", "", "A file of hub API keys, one 'name key' per line."),
      integer("hub", "job_timeout_ms", "15000", 100, 600'000, "How long a /proxy/* call waits for the agent's result (then 504; the job goes on)."),
      integer("hub", "pending_ttl_s", "600", 10, 86'400, "Unfinished jobs older than this are no longer pushed to agents."),
      integer("hub", "jwt_leeway_s", "30", 0, 3600, "Clock skew allowed on the agent token's exp/nbf/iat."),
      integer("hub", "jwt_max_lifetime_s", "0", 0, 31'536'000, "Refuse agent tokens living longer than this (0: no limit)."),
      integer("hub", "max_agents", "64", 1, 100'000, "Agent connections accepted at once."),

      boolean("agent", "enabled", "false", "Run the site agent (`tzrhost agent` turns it on)."),
      text("agent", "site_url", "ws://127.0.0.1:8070/ws/pull", "The site hub's WebSocket URL (wss:// in production)."),
      text("agent", "id", "agent-1", "This agent's name (the token's sub; shown by the hub)."),
      secret("agent", "jwt", "The agent's bearer token (`tzrhost keygen --kind agent-jwt`); empty: agent.jwt_file, else minted with bridge.jwt_secret."),
      text("agent", "jwt_file", "", "A file holding the agent's token, re-read before every connection (rotation without a restart)."),
      text("agent", "ca_file", "", "PEM CA bundle for wss://; empty: the system trust store."),
      boolean("agent", "verify_tls", "true", "Verify the site's TLS certificate (false only for tests)."),
      text("agent", "register_url", "http://127.0.0.1:8082/register", "Registration facade called for register jobs (LOCAL_REGISTER_URL)."),
      text("agent", "status_url", "http://127.0.0.1:9000/internal/constants", "Status source for get_server_status jobs (LOCAL_STATUS_URL)."),
      text("agent", "reset_url", "http://127.0.0.1:9000/internal/password/reset", "Orchestrator route called for reset_password jobs."),
      secret("agent", "local_token", "Bearer token for the orchestrator's /internal/* routes; empty: admin.token (or the development one)."),
      integer("agent", "request_timeout_ms", "8000", 50, 600'000, "Deadline of a local call (REQUEST_TIMEOUT); keep it below hub.job_timeout_ms."),
      integer("agent", "job_ttl_s", "45", 1, 3600, "Oldest job accepted (JOB_TTL)."),
      integer("agent", "job_max_skew_s", "30", 0, 3600, "How far in the future a job's ts may be (JOB_MAX_SKEW)."),
      integer("agent", "ping_interval_s", "20", 1, 3600, "WebSocket ping period; the link is dead after twice this without traffic."),
      integer("agent", "backoff_min_ms", "3000", 10, 600'000, "First reconnect delay; doubles per failure (plus 0-30 % jitter)."),
      integer("agent", "backoff_max_ms", "30000", 10, 3'600'000, "Largest reconnect delay."),
      integer("agent", "idempotency_ttl_s", "600", 60, 604'800, "How long a finished job's outcome answers a repeated job id."),
      integer("agent", "idempotency_max", "10000", 100, 10'000'000, "Finished outcomes kept in memory."),
      integer("agent", "max_frame_bytes", "65536", 1024, 16 * kMiB, "Largest WebSocket message accepted."),
      integer("agent", "max_concurrent_jobs", "16", 1, 4096, "Jobs executed at once; more wait their turn."),
      integer("agent", "health_port", "8071", 0, 65535, "Port of the agent's /health, /ready and /metrics (loopback by default)."),

      boolean("shop", "enabled", "true", "Run the shop service (bots crawl the game shops; API on shop.port)."),
      integer("shop", "port", "8085", 0, 65535, "Port of the shop API."),
      list("shop", "shops", "moscow:Moscow:Sova Moscow,oasis:Oasis:Sova Oasis,neva:Neva:Sova Neva",
           "Shops to crawl, code:Name:Bot login each (the bot must stand in that city's shop)."),
      list("shop", "disabled", "", "Shop codes kept in the API but not crawled (their bots stay logged out)."),
      secret_list("shop", "bot_keys", "Bot account keys, code:key per shop (e.g. moscow:0123…); a shop without a key is not crawled."),
      list("shop", "categories", "k,p,v,w,e,x,g,m,a,i,h,c,l,t,b,f,q,u,n,j,d,s,y,r,z,0",
           "Category codes crawled, in order (1 = the bot's own bag, not shop stock)."),
      integer("shop", "snapshot_interval_s", "3600", 0, 30 * 86400, "Seconds between scheduled snapshots of each shop (0: only on demand)."),
      boolean("shop", "snapshot_on_start", "true", "Take a snapshot of every shop with a key when the service starts."),
      integer("shop", "request_timeout_ms", "20000", 100, 600'000, "Deadline of one shop page request (send + whole reply)."),
      integer("shop", "request_delay_ms", "500", 0, 600'000, "Pause between two page requests of one bot (the server is shared with players)."),
      integer("shop", "page_attempts", "5", 1, 20, "Tries per page before the category is marked failed/partial."),
      integer("shop", "retry_delay_ms", "2000", 0, 600'000, "Pause between two tries of one page."),
      integer("shop", "keepalive_s", "30", 1, 3600, "Keep-alive <N /> interval of an idle bot connection."),
      integer("shop", "backoff_base_ms", "1000", 1, 600'000, "First reconnect delay; doubles per failure, with jitter."),
      integer("shop", "backoff_max_ms", "60000", 1, 3'600'000, "Longest reconnect delay."),
      integer("shop", "breaker_cooldown_s", "300", 1, 86400, "After the server refuses a bot's login, how long before it logs in again."),
      integer("shop", "max_pages", "500", 1, 100'000, "Most pages read from one listing (a runaway bound)."),
      list("shop", "watch_rules", "",
           "Alert rules, id:cond;cond… with event=listed|new_seller|bulk_sold, shop=, search=, name=, caliber=, category=, max_price=, min_sold=."),
      integer("shop", "retention_days", "90", 0, 36500, "Snapshots (and sold goods) older than this are deleted; 0: kept forever."),
      secret("shop", "alert_webhook", "URL that receives new alerts as JSON (POST); empty: alerts are only stored (GET /analytics/alerts)."),

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
