#include "game/sim/sim_state.hpp"

#include "core/utf8.hpp"

#include <algorithm>
#include <array>

namespace tzr::game::sim {

namespace {

constexpr std::array<std::pair<FaultMode, std::string_view>, 8> kModeNames{{
    {FaultMode::ok, "ok"},
    {FaultMode::err, "err"},
    {FaultMode::slow, "slow"},
    {FaultMode::drop, "drop"},
    {FaultMode::garbage, "garbage"},
    {FaultMode::no_nul, "no-nul"},
    {FaultMode::split, "split"},
    {FaultMode::silent, "silent"},
}};

std::string attribute(const GameReply& m, const std::string& name) {
  auto it = m.attributes.find(name);
  return it == m.attributes.end() ? std::string() : it->second;
}

std::vector<std::string> error_reply(std::string_view code) {
  return {"<ERR code=\"" + std::string(code) + "\"/>"};
}

char32_t fold(char32_t c) {
  if (c >= U'A' && c <= U'Z') return c + 0x20;
  if (c >= 0x0410 && c <= 0x042F) return c + 0x20;  // А..Я → а..я
  if (c >= 0x0400 && c <= 0x040F) return c + 0x50;  // Ѐ..Џ (Ё among them) → ѐ..џ
  return c;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::optional<FaultMode> fault_mode_from_string(std::string_view name) {
  for (const auto& [mode, text] : kModeNames)
    if (text == name) return mode;
  return std::nullopt;
}

std::string_view to_string(FaultMode mode) {
  for (const auto& [m, text] : kModeNames)
    if (m == mode) return text;
  return "ok";
}

const std::vector<std::string_view>& fault_mode_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& entry : kModeNames) v.push_back(entry.second);
    return v;
  }();
  return names;
}

std::string fold_login(std::string_view login) {
  std::vector<char32_t> points;
  std::string out;
  if (!utf8::decode(login, points)) {
    for (char c : login) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 0x20) : c;
    return out;
  }
  for (char32_t c : points) utf8::append(out, fold(c));
  return out;
}

Account* SimWorld::find(std::string_view login) {
  auto it = accounts.find(fold_login(login));
  return it == accounts.end() ? nullptr : &it->second;
}

bool SimWorld::may_login(std::string_view login) {
  if (find(login)) return true;
  const auto key = fold_login(login);
  return std::any_of(bot_logins.begin(), bot_logins.end(), [&](const std::string& b) { return fold_login(b) == key; });
}

SimState::SimState(std::uint64_t seed, FaultSetting initial_fault, std::vector<std::string> bot_logins,
                   std::size_t max_records)
    : seed_(seed), max_records_(std::max<std::size_t>(1, max_records)), initial_fault_(initial_fault),
      global_fault_(initial_fault) {
  world_.bot_logins = std::move(bot_logins);
  world_.rng.seed(seed_);
}

void SimState::set_handler(std::string tag, CommandHandler handler) {
  std::lock_guard lock(mu_);
  handlers_[std::move(tag)] = std::move(handler);
}

std::vector<std::string> SimState::dispatch(SimSession& session, const GameReply& message) {
  auto it = handlers_.find(message.tag);
  if (it == handlers_.end()) return error_reply("UNKNOWN_COMMAND");
  return it->second(world_, session, message);
}

void SimState::record(std::uint64_t conn, std::string tag, std::string_view text) {
  std::string raw(text);
  // The control API serves records as JSON, which needs valid UTF-8.
  if (!utf8::valid(raw))
    for (auto& c : raw)
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  if (records_.size() >= max_records_) records_.pop_front();
  records_.push_back(ReceivedMessage{now_ms(), conn, std::move(tag), std::move(raw)});
}

Outcome SimState::receive(SimSession& session, std::string_view text) {
  auto parsed = parse_reply(text);  // the same one-element reader the client uses
  std::lock_guard lock(mu_);
  Outcome out;
  out.fault = session.fault.value_or(global_fault_);
  record(session.id, parsed ? parsed->tag : std::string(), text);
  if (out.fault.mode == FaultMode::err) {
    out.replies = error_reply("REGISTER_DENIED");
    return out;
  }
  if (out.fault.mode == FaultMode::drop) {
    out.close = true;
    return out;
  }
  out.replies = parsed ? dispatch(session, *parsed) : error_reply("BAD_XML");
  // A handler may ask for the connection to be closed without a reply (the shop's drop fault).
  if (session.vars.erase("sim.close") > 0) {
    out.fault.mode = FaultMode::drop;
    out.close = true;
    out.replies.clear();
    return out;
  }
  if (out.fault.mode == FaultMode::split && !out.replies.empty()) {
    // Where the reply is cut comes from the seeded stream: reproducible, yet not always the same
    // byte. The cut is at least one byte in and leaves the NUL for the second write.
    std::uniform_int_distribution<std::size_t> cut(1, std::max<std::size_t>(1, out.replies.front().size()));
    out.split_at = cut(world_.rng);
  }
  return out;
}

std::optional<FaultSetting> SimState::take_next_connection_fault() {
  std::lock_guard lock(mu_);
  auto fault = next_connection_fault_;
  next_connection_fault_.reset();
  return fault;
}

void SimState::set_global_fault(FaultSetting fault) {
  std::lock_guard lock(mu_);
  global_fault_ = fault;
}

void SimState::set_next_connection_fault(FaultSetting fault) {
  std::lock_guard lock(mu_);
  next_connection_fault_ = fault;
}

FaultSetting SimState::global_fault() const {
  std::lock_guard lock(mu_);
  return global_fault_;
}

std::optional<FaultSetting> SimState::next_connection_fault() const {
  std::lock_guard lock(mu_);
  return next_connection_fault_;
}

std::vector<ReceivedMessage> SimState::received() const {
  std::lock_guard lock(mu_);
  return {records_.begin(), records_.end()};
}

void SimWorld::logged_in(SimSession& session, std::string login) {
  ended(session);
  auto& s = sessions[fold_login(login)];
  ++s.logins;
  s.max_open = std::max(s.max_open, ++s.open);
  session.login = std::move(login);
}

void SimWorld::ended(SimSession& session) {
  if (!session.login) return;
  if (auto it = sessions.find(fold_login(*session.login)); it != sessions.end() && it->second.open > 0) --it->second.open;
  session.login.reset();
}

std::map<std::string, LoginSessions> SimState::sessions() const {
  std::lock_guard lock(mu_);
  return world_.sessions;
}

void SimState::connection_closed(SimSession& session) {
  std::lock_guard lock(mu_);
  world_.ended(session);
}

std::vector<Account> SimState::accounts() const {
  std::lock_guard lock(mu_);
  std::vector<Account> out;
  for (const auto& [key, account] : world_.accounts) out.push_back(account);
  std::sort(out.begin(), out.end(), [](const Account& a, const Account& b) { return a.id < b.id; });
  return out;
}

void SimState::reset() {
  std::lock_guard lock(mu_);
  world_.accounts.clear();
  world_.next_account_id = 1;
  world_.rng.seed(seed_);
  records_.clear();
  global_fault_ = initial_fault_;
  next_connection_fault_.reset();
}

void add_standard_handlers(SimState& state) {
  state.set_handler("ADDUSER", [](SimWorld& world, SimSession&, const GameReply& m) -> std::vector<std::string> {
    const auto login = attribute(m, "l");
    const auto hash = attribute(m, "p");
    if (login.empty() || hash.empty()) return {R"(<ERR code="BAD_REQUEST" msg="l and p are required"/>)"};
    if (world.find(login)) return {R"(<ERR code="USER_EXISTS" msg="login already exists"/>)"};
    Account account{world.next_account_id++, login, hash, attribute(m, "g"), attribute(m, "m")};
    const auto id = account.id;
    world.accounts.emplace(fold_login(login), std::move(account));
    return {"<OK id=\"" + std::to_string(id) + "\"/>"};
  });

  state.set_handler("NEWPAS", [](SimWorld& world, SimSession&, const GameReply& m) -> std::vector<std::string> {
    const auto hash = attribute(m, "pwd2");
    if (hash.empty()) return {R"(<ERR code="BAD_REQUEST" msg="pwd2 is required"/>)"};
    auto* account = world.find(attribute(m, "l"));
    if (!account) return error_reply("NO_USER");
    account->password_hash = hash;
    return {"<OK/>"};
  });

  // Any password is accepted for now: the simulator checks who logs in, not with what key.
  state.set_handler("LOGIN", [](SimWorld& world, SimSession& session, const GameReply& m) -> std::vector<std::string> {
    const auto login = attribute(m, "l");
    if (login.empty() || !world.may_login(login)) return error_reply("BAD_LOGIN");
    world.logged_in(session, login);
    return {"<OK/>"};
  });

  state.set_handler("GETME", [](SimWorld&, SimSession& session, const GameReply&) -> std::vector<std::string> {
    if (!session.login) return error_reply("NOT_LOGGED_IN");
    auto escaped = escape_attribute(*session.login);
    return {"<MYPARAM login=\"" + (escaped ? *escaped : std::string()) + "\"/>"};
  });

  // Keep-alive: the server answers nothing.
  state.set_handler("N", [](SimWorld&, SimSession&, const GameReply&) -> std::vector<std::string> { return {}; });
}

}  // namespace tzr::game::sim
