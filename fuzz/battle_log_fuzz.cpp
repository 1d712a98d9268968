// libFuzzer target for the battle-log parser: arbitrary bytes (a hostile upload, a damaged socket
// capture, a gzip bomb) → parse_battle_log and the HP grammar. Nothing may crash, and whatever
// is accepted must keep the model's invariants.
#include "battles/hp_grammar.hpp"
#include "battles/model_json.hpp"
#include "battles/parser.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace tzr::battles;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ParseOptions options;
  options.max_text_bytes = 4u << 20;
  const ParseOutcome out = parse_battle_log(input, options);
  if (out.source.size_bytes != static_cast<std::int64_t>(size)) __builtin_trap();
  if (out.ok() && out.log.battle.id <= 0) __builtin_trap();
  std::int64_t monsters = 0;
  for (const auto& m : out.log.monsters) {
    if (m.count <= 0) __builtin_trap();
    monsters += m.count;
  }
  if (monsters != out.log.monsters_cnt()) __builtin_trap();
  // The full model reads back as itself.
  auto back = from_model_json(model_json(out));
  if (!back || back->log != out.log) __builtin_trap();
  (void)compat_json(out);

  const HpHit h = parse_hp(input);
  if (h.status_amount < 0) __builtin_trap();
  if (h.form == HpForm::malformed && (h.total != 0 || h.normal != 0)) __builtin_trap();
  return 0;
}
