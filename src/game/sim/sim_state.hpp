#pragma once
// The game simulator's world, without any I/O: accounts, the messages it received, the fault
// mode, and the command handlers that turn one received message into replies. Thread-safe: the
// socket server and the control API share one instance.
#include "game/protocol.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace tzr::game::sim {

// How the simulator misbehaves. The action of a command happens (or not) as follows:
//   ok       normal replies
//   err      every message answers <ERR code="REGISTER_DENIED"/> and changes nothing
//   slow     the action happens; each reply waits delay first
//   drop     the message is recorded, nothing happens, the connection closes without a reply
//   garbage  the action happens; the answer is "\x01\x02not xml" + NUL
//   no_nul   the action happens; the answer is "<OK/>" with no NUL, the connection stays open
//   split    the action happens; each reply goes out in two writes, delay (default 20 ms) apart
//   silent   the action happens; no reply at all, the connection stays open
enum class FaultMode { ok, err, slow, drop, garbage, no_nul, split, silent };

std::optional<FaultMode> fault_mode_from_string(std::string_view name);  // "ok", "no-nul", …
std::string_view to_string(FaultMode mode);
const std::vector<std::string_view>& fault_mode_names();

struct FaultSetting {
  FaultMode mode = FaultMode::ok;
  std::chrono::milliseconds delay{0};
};

struct Account {
  std::uint64_t id = 0;
  std::string login;          // as registered
  std::string password_hash;  // the p / pwd2 value: simulator data only, never logged
  std::string gender;
  std::string email;
};

struct ReceivedMessage {
  std::int64_t at_ms = 0;  // UTC epoch milliseconds
  std::uint64_t conn = 0;
  std::string tag;  // "" when the message is not XML
  std::string raw;  // the text before the NUL (invalid UTF-8 bytes shown as '?')
};

// Per-connection state a handler may read or change: who logged in, and free slots for later
// commands (a requested battle id between POST //blook and GETMYBATTLE, a shop position, …).
struct SimSession {
  std::uint64_t id = 0;
  std::optional<FaultSetting> fault;  // set when the connection was given its own fault mode
  std::optional<std::string> login;
  std::map<std::string, std::string> vars;
};

// Game sessions of one login: a real server lets a bot account have one session at a time, so
// tests read max_open to prove that several crawler instances never logged one bot in twice.
struct LoginSessions {
  int open = 0;
  int max_open = 0;
  std::int64_t logins = 0;
};

// The data handlers work on. Handlers run while SimState holds its lock, so they get this
// directly and must not call back into SimState.
struct SimWorld {
  std::map<std::string, LoginSessions> sessions;  // key: folded login
  // A connection logs in (again, or as someone else), or ends.
  void logged_in(SimSession& session, std::string login);
  void ended(SimSession& session);

  std::map<std::string, Account> accounts;  // key: folded login (see fold_login)
  std::uint64_t next_account_id = 1;
  std::vector<std::string> bot_logins;  // accounts that may LOGIN without being registered
  std::mt19937_64 rng;

  Account* find(std::string_view login);
  bool may_login(std::string_view login);
};

// Returns the replies to send for one message, each without its NUL; none means no reply.
using CommandHandler = std::function<std::vector<std::string>(SimWorld&, SimSession&, const GameReply&)>;

// Case-insensitive key for logins: ASCII and Cyrillic letters are lower-cased (the game's own
// players use both scripts); other characters are kept.
std::string fold_login(std::string_view login);

// What the server must do with one received message.
struct Outcome {
  FaultSetting fault;
  std::vector<std::string> replies;  // without NULs
  bool close = false;                // drop mode: close without replying
  std::size_t split_at = 1;          // split mode: bytes in the first write of each reply
};

class SimState {
 public:
  // initial_fault is the start-up mode, which reset() restores.
  SimState(std::uint64_t seed, FaultSetting initial_fault, std::vector<std::string> bot_logins,
           std::size_t max_records = 10'000);

  // Adds or replaces the handler of a tag (the extension point for later commands).
  void set_handler(std::string tag, CommandHandler handler);

  // Records the message and applies it under the session's fault mode.
  Outcome receive(SimSession& session, std::string_view text);

  // Called once per accepted connection: the one-shot "next connection" fault, if any.
  std::optional<FaultSetting> take_next_connection_fault();

  void set_global_fault(FaultSetting fault);
  void set_next_connection_fault(FaultSetting fault);
  FaultSetting global_fault() const;
  std::optional<FaultSetting> next_connection_fault() const;

  std::vector<ReceivedMessage> received() const;
  std::vector<Account> accounts() const;  // ordered by id
  std::map<std::string, LoginSessions> sessions() const;
  void connection_closed(SimSession& session);
  // Forgets accounts and records, restores the start-up fault mode, restarts the random stream.
  void reset();

 private:
  std::vector<std::string> dispatch(SimSession& session, const GameReply& message);
  void record(std::uint64_t conn, std::string tag, std::string_view text);

  mutable std::mutex mu_;
  const std::uint64_t seed_;
  const std::size_t max_records_;
  const FaultSetting initial_fault_;
  SimWorld world_;
  std::map<std::string, CommandHandler> handlers_;
  std::deque<ReceivedMessage> records_;  // the newest max_records_
  FaultSetting global_fault_;
  std::optional<FaultSetting> next_connection_fault_;
};

// The handlers of the registration and session commands: ADDUSER, NEWPAS, LOGIN, GETME, N.
void add_standard_handlers(SimState& state);

}  // namespace tzr::game::sim
