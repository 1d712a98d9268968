#pragma once
// Fuzzy player search (battles.md §7.2 "exact, prefix and fuzzy"): edit distance between the
// normalised keys (login_key: Latin and Cyrillic lower case, ё → е), with Cyrillic letters that
// look like Latin ones folded together (a Cyrillic "а" typed for a Latin "a" is no typo), a
// distance bound that grows with the query's length, and a bounded scan of the players table.
#include "battles/battle_store.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tzr::battles {

// The key's code points with Cyrillic look-alikes (а в е к м н о р с т у х) mapped to Latin.
std::u32string fuzzy_fold(std::string_view login_key);

// Levenshtein distance of a and b if it is at most max_distance, else max_distance + 1. Work is
// O(len × (2·max_distance + 1)): only the diagonal band can stay within the bound.
std::size_t bounded_edit_distance(std::u32string_view a, std::u32string_view b, std::size_t max_distance);

// How many edits a query of this many code points tolerates: 0 up to 2, 1 up to 5, 2 up to 9, else 3.
std::size_t fuzzy_max_distance(std::size_t query_length);

struct FuzzyMatch {
  PlayerMatch player;
  std::size_t distance = 0;
  bool prefix = false;  // the query is a prefix of the folded key (ranked before other matches)
};

// Keeps the best `limit` candidates: fewer edits first, then prefix matches, then more battles,
// then the key (so equal scores always come out in the same order).
class FuzzyRanker {
 public:
  FuzzyRanker(std::string_view query, std::size_t limit);
  void offer(const std::string& login_key, PlayerMatch player);
  std::vector<FuzzyMatch> take();

 private:
  std::u32string query_;
  std::size_t max_distance_, limit_;
  std::vector<std::pair<std::string, FuzzyMatch>> best_;  // (key, match), sorted best first
};

struct FuzzyResult {
  std::vector<FuzzyMatch> matches;
  std::int64_t scanned = 0;
  bool truncated = false;  // the scan stopped at max_scan players: a rarer match may be missing
};

// Scans battle_players in key order, `max_scan` rows at most, in pages (bounded memory).
Result<FuzzyResult> fuzzy_search_players(storage::Database& db, std::string_view text, std::size_t limit, std::int64_t max_scan);

}  // namespace tzr::battles
