#pragma once
// The game server's socket protocol: one XML element per message, UTF-8, ended by a NUL byte.
// Pure functions (no I/O): frame builders with attribute escaping, reply parsing, the password
// format of the ADDUSER/NEWPAS commands.
#include "core/error.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace tzr::game {

// The game's password digest (registration.md §3.4): 40 upper-case hex characters. Fails with
// code "password_not_ascii" for non-ASCII input. Password-equivalent: never log it.
Result<std::string> password_hash(std::string_view password);

// Escapes & < > " ' for an attribute value; refuses control characters (< 0x20, 0x7F) and
// invalid UTF-8 with code "game_bad_attribute" (ErrorKind::validation).
Result<std::string> escape_attribute(std::string_view value);

// Frames, each ending with the NUL byte.
struct AddUser {
  std::string login;
  std::string password;  // plain; hashed here
  int gender = 0;        // 0 or 1, passed through
  std::string email = "test@test.ru";
};
Result<std::string> adduser_frame(const AddUser& a);
Result<std::string> newpas_frame(std::string_view login, std::string_view password);

// A reply with its tag name and attributes. `<OK…>` is the only success.
struct GameReply {
  std::string raw;  // the message text without the NUL
  std::string tag;  // "OK", "ERR", "ERROR", …
  std::map<std::string, std::string> attributes;
  bool ok() const { return tag == "OK"; }
  std::string code() const;     // ERR code="…" (or ERROR code), "" if none
  std::string message() const;  // msg="…", "" if none
};

// Parses one message (text before the NUL; 0x1F filler and surrounding whitespace are ignored).
// Fails with "game_protocol_error" when the text is not one XML element.
Result<GameReply> parse_reply(std::string_view text);

}  // namespace tzr::game
