#include "support/fake_bot_api.hpp"

#include "core/json.hpp"
#include "core/metrics.hpp"
#include "crypto/hash.hpp"
#include "crypto/hmac.hpp"
#include "net/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace tzr::test {
namespace {
namespace asio = boost::asio;

net::HttpResponse to_response(const FakeBotReply& r) {
  if (r.raw_body) return net::HttpResponse::text(r.http_status, *r.raw_body, "application/json");
  boost::json::object body;
  if (r.http_status == 200 && r.ok) {
    boost::json::object result{{"user", {{"id", 1}, {"is_bot", false}, {"first_name", "Fake"}}}, {"status", r.status}};
    if (r.is_member) result["is_member"] = *r.is_member;
    body = {{"ok", true}, {"result", std::move(result)}};
  } else {
    body = {{"ok", false}, {"error_code", r.http_status}, {"description", r.description}};
    if (r.retry_after) body["parameters"] = boost::json::object{{"retry_after", *r.retry_after}};
  }
  return net::HttpResponse::json(r.http_status, body);
}

std::string unhex(const std::string& hex) {
  std::string raw;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return raw;
}

std::string check_string(const std::map<std::string, std::string>& sorted) {
  std::string out;
  for (const auto& [k, v] : sorted) out += (out.empty() ? "" : "\n") + k + "=" + v;
  return out;
}

std::string percent_encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

struct FakeBotApi::State {
  explicit State(std::string t) : token(std::move(t)), server(limits(), 1, metrics, net::PipelineOptions{false}) {}

  static net::ServerLimits limits() {
    net::ServerLimits l;
    l.shutdown_grace = std::chrono::milliseconds(500);
    return l;
  }

  // The reply for one call, advancing that user's script.
  FakeBotReply next(std::int64_t user_id) {
    std::lock_guard lock(mu);
    ++per_user[user_id];
    auto it = scripts.find(user_id);
    if (it == scripts.end() || it->second.empty()) return fallback;
    FakeBotReply r = it->second.front();
    if (it->second.size() > 1) it->second.erase(it->second.begin());
    return r;
  }

  asio::awaitable<net::HttpResponse> handle(net::HttpRequest& req) {
    if (req.param("bot") != "bot" + token) {
      ++unauthorized;
      co_return to_response(FakeBotReply::error(401, "Unauthorized"));
    }
    auto user = req.query_param("user_id");
    auto chat = req.query_param("chat_id");
    if (!user || !chat) co_return to_response(FakeBotReply::error(400, "Bad Request: chat_id and user_id are required"));
    std::int64_t user_id = 0;
    try {
      user_id = std::stoll(*user);
    } catch (const std::exception&) {
      co_return to_response(FakeBotReply::error(400, "Bad Request: invalid user_id specified"));
    }
    {
      std::lock_guard lock(mu);
      last_chat = *chat;
    }
    ++total;
    FakeBotReply reply = next(user_id);
    // Sleep in slices so that the destructor does not wait for a long delay.
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    const auto until = std::chrono::steady_clock::now() + reply.delay;
    while (!stopping && std::chrono::steady_clock::now() < until) {
      timer.expires_after(std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(20),
                                                                        until - std::chrono::steady_clock::now()));
      auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      (void)ec;
    }
    co_return to_response(reply);
  }

  bool token_ok(net::HttpRequest& req) {
    if (req.param("bot") == "bot" + token) return true;
    ++unauthorized;
    return false;
  }

  // getUpdates: the queued updates from the offset on, held briefly when there is none.
  asio::awaitable<net::HttpResponse> handle_updates(net::HttpRequest& req) {
    if (!token_ok(req)) co_return to_response(FakeBotReply::error(401, "Unauthorized"));
    ++polls;
    std::int64_t offset = 0;
    if (auto body = json::parse_object(req.body); body) offset = json::get_int(*body, "offset").value_or(0);
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    boost::json::array result;
    while (true) {
      {
        std::lock_guard lock(mu);
        std::erase_if(updates, [offset](const boost::json::object& u) { return u.at("update_id").as_int64() < offset; });
        for (const auto& u : updates) result.push_back(u);
      }
      if (!result.empty() || stopping || std::chrono::steady_clock::now() >= until) break;
      timer.expires_after(std::chrono::milliseconds(20));
      auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      (void)ec;
    }
    co_return net::HttpResponse::json(200, boost::json::object{{"ok", true}, {"result", std::move(result)}});
  }

  asio::awaitable<net::HttpResponse> handle_recorded(net::HttpRequest& req, std::string method) {
    if (!token_ok(req)) co_return to_response(FakeBotReply::error(401, "Unauthorized"));
    auto body = json::parse_object(req.body);
    if (!body) co_return to_response(FakeBotReply::error(400, "Bad Request: body is not JSON"));
    boost::json::value result = true;
    {
      std::lock_guard lock(mu);
      recorded[method].push_back(*body);
      if (method == "sendMessage") result = boost::json::object{{"message_id", ++next_message_id}};
    }
    co_return net::HttpResponse::json(200, boost::json::object{{"ok", true}, {"result", result}});
  }

  std::string token;
  Metrics metrics;
  net::HttpServer server;
  std::uint16_t port = 0;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::atomic<int> total{0};
  std::atomic<int> unauthorized{0};
  mutable std::mutex mu;
  std::map<std::int64_t, std::vector<FakeBotReply>> scripts;
  std::map<std::int64_t, int> per_user;
  FakeBotReply fallback = FakeBotReply::error(400, "Bad Request: user not found");
  std::string last_chat;
  std::vector<boost::json::object> updates;  // not yet confirmed by an offset
  std::map<std::string, std::vector<boost::json::object>> recorded;
  std::int64_t next_update_id = 100;
  std::int64_t next_message_id = 1000;
  std::atomic<int> polls{0};
};

FakeBotApi::FakeBotApi(std::string token) : state_(std::make_shared<State>(std::move(token))) {
  auto svc = std::make_shared<net::HttpService>();
  svc->name = "fake-bot-api";
  svc->bind = "127.0.0.1";
  svc->port = 0;
  State* s = state_.get();  // the server, and so every handler, ends before the State does
  auto handler = [s](net::HttpRequest& req) { return s->handle(req); };
  svc->router.get("/{bot}/getChatMember", handler);
  svc->router.post("/{bot}/getChatMember", handler);
  svc->router.post("/{bot}/getUpdates", [s](net::HttpRequest& req) { return s->handle_updates(req); });
  for (std::string method : {"sendMessage", "deleteMessage", "answerCallbackQuery"})
    svc->router.post("/{bot}/" + method, [s, method](net::HttpRequest& req) { return s->handle_recorded(req, method); });
  auto bound = state_->server.add(svc);
  if (!bound) throw std::runtime_error("fake Bot API: " + bound.error().message);
  state_->port = bound->port;
  state_->thread = std::thread([s] { s->server.run(false); });
}

FakeBotApi::~FakeBotApi() {
  state_->stopping = true;
  state_->server.stop();
  state_->thread.join();
}

std::uint16_t FakeBotApi::port() const { return state_->port; }
std::string FakeBotApi::base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

void FakeBotApi::script(std::int64_t user_id, std::vector<FakeBotReply> replies) {
  std::lock_guard lock(state_->mu);
  state_->scripts[user_id] = std::move(replies);
}

void FakeBotApi::set_default(FakeBotReply reply) {
  std::lock_guard lock(state_->mu);
  state_->fallback = std::move(reply);
}

std::int64_t FakeBotApi::push_message(std::int64_t user_id, std::string text, std::string language_code,
                                      std::string chat_type) {
  std::lock_guard lock(state_->mu);
  const std::int64_t message_id = ++state_->next_message_id;
  const std::int64_t chat_id = chat_type == "private" ? user_id : -100123;
  boost::json::object message{
      {"message_id", message_id},
      {"from", {{"id", user_id}, {"is_bot", false}, {"first_name", "Ann"}, {"username", "ann"}, {"language_code", language_code}}},
      {"chat", {{"id", chat_id}, {"type", chat_type}}},
      {"date", 1700000000},
      {"text", text}};
  state_->updates.push_back(boost::json::object{{"update_id", ++state_->next_update_id}, {"message", std::move(message)}});
  return message_id;
}

void FakeBotApi::push_callback(std::int64_t user_id, std::string data, std::int64_t on_message_id) {
  std::lock_guard lock(state_->mu);
  boost::json::object callback{
      {"id", "cb" + std::to_string(state_->next_update_id + 1)},
      {"from", {{"id", user_id}, {"is_bot", false}, {"first_name", "Ann"}, {"language_code", "en"}}},
      {"message", {{"message_id", on_message_id}, {"chat", {{"id", user_id}, {"type", "private"}}}, {"date", 1700000000}}},
      {"data", data}};
  state_->updates.push_back(boost::json::object{{"update_id", ++state_->next_update_id}, {"callback_query", std::move(callback)}});
}

std::vector<boost::json::object> FakeBotApi::sent(const std::string& method) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->recorded.find(method);
  return it == state_->recorded.end() ? std::vector<boost::json::object>{} : it->second;
}

bool FakeBotApi::wait_for(const std::string& method, std::size_t count, std::chrono::milliseconds timeout) const {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (sent(method).size() < count) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

int FakeBotApi::poll_calls() const { return state_->polls.load(); }

int FakeBotApi::calls() const { return state_->total.load(); }

int FakeBotApi::calls_for(std::int64_t user_id) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->per_user.find(user_id);
  return it == state_->per_user.end() ? 0 : it->second;
}

int FakeBotApi::unauthorized_calls() const { return state_->unauthorized.load(); }

std::string FakeBotApi::last_chat_id() const {
  std::lock_guard lock(state_->mu);
  return state_->last_chat;
}

std::string signed_widget(const std::string& bot_token, boost::json::object fields) {
  std::map<std::string, std::string> sorted;
  for (const auto& [k, v] : fields)
    sorted[std::string(k)] = v.is_string() ? std::string(v.get_string()) : boost::json::serialize(v);
  fields["hash"] = crypto::hmac_sha256_hex(unhex(crypto::sha256_hex(bot_token)), check_string(sorted));
  return boost::json::serialize(fields);
}

std::string signed_init_data(const std::string& bot_token, std::vector<std::pair<std::string, std::string>> pairs) {
  std::map<std::string, std::string> sorted(pairs.begin(), pairs.end());
  std::string secret = crypto::hmac_sha256("WebAppData", bot_token);
  pairs.emplace_back("hash", crypto::hmac_sha256_hex(secret, check_string(sorted)));
  std::string out;
  for (const auto& [k, v] : pairs) out += (out.empty() ? "" : "&") + percent_encode(k) + "=" + percent_encode(v);
  return out;
}

}  // namespace tzr::test
