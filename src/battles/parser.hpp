#pragma once
// The .tzb battle-log parser (battles.md §1, §2). One pass of pugixml over the canonical text,
// independent of attribute order and line layout. It never throws and never gives up early: a
// damaged log yields what could be read plus an error code (see ParseOutcome).
#include "battles/model.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace tzr::battles {

struct ParseOptions {
  std::size_t max_text_bytes = 64u << 20;  // after gunzip
  bool keep_events = true;
  bool digests = true;  // the sha256 of the content and of the canonical text (off: parse only)
  std::string content_sha256;  // the content's sha256 when the caller has it already (not hashed again)
  std::string storage_key;
};

// The text the parser reads: gunzipped, NUL and 0x1F removed, the BLOOK wrapper removed, and cut
// before a repeated BATTLE block.
struct CanonicalText {
  std::string text;
  std::string content_sha256;  // of the bytes after gunzip, before any cleaning
  bool compressed = false;
  bool duplicated = false;
  bool duplicate_identical = false;
  bool unterminated_wrapper = false;
  std::string error, message;  // empty_input, gzip_invalid, too_large, invalid_utf8
};
// dedupe: look for a repeated BATTLE block in the text (the parser skips that scan and looks at
// the parsed tree instead, coming back here only when the tree shows a repeat).
CanonicalText canonical_text(std::string_view raw, std::size_t max_text_bytes, bool digest = true, bool dedupe = true);

// Error codes of ParseOutcome::error: empty_input, gzip_invalid, too_large, invalid_utf8,
// malformed_xml (pugixml stopped; the result holds what came before), not_a_battle_log (no
// BATTLE element), no_battle_id (a BATTLE without battleid).
ParseOutcome parse_battle_log(std::string_view raw, const ParseOptions& options = {});

// Monster kind from a login such as "$rat12_77" → "rat" (battles.md §1.11), "unknown" otherwise.
std::string monster_kind(std::string_view login);

}  // namespace tzr::battles
