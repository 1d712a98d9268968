// libFuzzer target for the game socket codecs: arbitrary bytes (a reply from a hostile or broken
// game server, a login from a hostile client) → parse_reply, escape_attribute, the frame builders.
// Nothing may crash; whatever is accepted must keep its promises.
#include "game/protocol.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace tzr::game;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (auto reply = parse_reply(input)) {
    if (reply->tag.empty()) __builtin_trap();
    if (reply->ok() != (reply->tag == "OK")) __builtin_trap();
    (void)reply->code();
    (void)reply->message();
  }

  if (auto escaped = escape_attribute(input)) {
    // An escaped value can close neither the attribute nor the element.
    if (escaped->find_first_of("<>\"'") != std::string::npos) __builtin_trap();
    // And reads back as itself inside a frame.
    auto frame = newpas_frame(input, "password");
    if (!input.empty()) {
      if (!frame) __builtin_trap();
      auto back = parse_reply(std::string_view(*frame).substr(0, frame->size() - 1));
      if (!back || back->attributes.at("l") != input) __builtin_trap();
    }
  }

  (void)password_hash(input);
  return 0;
}
