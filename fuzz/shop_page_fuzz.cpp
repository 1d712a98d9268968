// libFuzzer target for the shop reply path: arbitrary bytes from a hostile or broken game
// server → the NUL frame reader → classify → parse_page → to_json. Nothing may crash, and what
// is accepted must keep its promises (valid UTF-8 out, items carry ids, groups carry a filter).
#include "core/utf8.hpp"
#include "shop/page_parser.hpp"
#include "shop/shop_protocol.hpp"

#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace tzr::shop;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // The whole input as one page (NUL inside must be refused, not mis-read).
  if (auto page = parse_page(input)) {
    for (const auto& item : page->items) {
      auto text = boost::json::serialize(to_json(item));
      if (!tzr::utf8::valid(text)) __builtin_trap();
    }
    for (const auto& g : page->groups)
      if (g.filter().rfind("name:", 0) != 0) __builtin_trap();
    if (!page->has_groups && !page->groups.empty()) __builtin_trap();
  }

  // The same bytes as a stream of frames, split where the first byte says.
  FrameReader reader(64 * 1024);
  const std::size_t cut = size == 0 ? 0 : data[0] % size;
  if (reader.append(input.substr(0, cut)) && reader.append(input.substr(cut))) {
    while (auto msg = reader.next()) {
      if (msg->find('\0') != std::string::npos || msg->find('\x1F') != std::string::npos) __builtin_trap();
      switch (classify(*msg)) {
        case MessageKind::shop_page: (void)parse_page(*msg); break;
        case MessageKind::error: (void)error_text(*msg); break;
        case MessageKind::other: break;
      }
    }
  }
  (void)parse_ranges(input);
  (void)parse_attack_modes(input);
  (void)parse_requirements(input);
  (void)parse_bonuses(input);
  (void)escape_value(input);
  return 0;
}
