#include "battles/fuzzy_search.hpp"

#include "core/utf8.hpp"

#include <algorithm>
#include <tuple>

namespace tzr::battles {
namespace {

char32_t fold(char32_t c) {
  switch (c) {
    case U'а': return U'a';
    case U'в': return U'b';
    case U'е': return U'e';
    case U'к': return U'k';
    case U'м': return U'm';
    case U'н': return U'h';
    case U'о': return U'o';
    case U'р': return U'p';
    case U'с': return U'c';
    case U'т': return U't';
    case U'у': return U'y';
    case U'х': return U'x';
    default: return c;
  }
}

bool better(const FuzzyMatch& a, const std::string& ka, const FuzzyMatch& b, const std::string& kb) {
  return std::make_tuple(a.distance != 0, !a.prefix, a.distance, -a.player.battles, std::string_view(ka)) <
         std::make_tuple(b.distance != 0, !b.prefix, b.distance, -b.player.battles, std::string_view(kb));
}

constexpr std::int64_t kPage = 2000;

}  // namespace

std::u32string fuzzy_fold(std::string_view key) {
  std::vector<char32_t> cps;
  if (!utf8::decode(key, cps)) cps.assign(key.begin(), key.end());  // not UTF-8: compare the bytes
  std::u32string out;
  out.reserve(cps.size());
  for (char32_t c : cps) out.push_back(fold(c));
  return out;
}

std::size_t bounded_edit_distance(std::u32string_view a, std::u32string_view b, std::size_t max_distance) {
  const std::size_t over = max_distance + 1;
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > max_distance) return over;
  // row[j] = distance of a[0..i) and b[0..j); cells farther than max_distance from the diagonal
  // cannot come back under the bound, so they are held at `over`.
  std::vector<std::size_t> row(b.size() + 1), next(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = std::min(j, over);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    const std::size_t lo = i > max_distance ? i - max_distance : 1;
    const std::size_t hi = std::min(b.size(), i + max_distance);
    std::fill(next.begin(), next.end(), over);
    next[0] = std::min(i, over);
    std::size_t best = next[0];
    for (std::size_t j = lo; j <= hi; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      next[j] = std::min({row[j - 1] + cost, row[j] + 1, next[j - 1] + 1, over});
      best = std::min(best, next[j]);
    }
    if (best >= over) return over;  // every path already exceeds the bound
    std::swap(row, next);
  }
  return std::min(row[b.size()], over);
}

std::size_t fuzzy_max_distance(std::size_t n) { return n <= 2 ? 0 : n <= 5 ? 1 : n <= 9 ? 2 : 3; }

FuzzyRanker::FuzzyRanker(std::string_view query, std::size_t limit)
    : query_(fuzzy_fold(login_key(query))), max_distance_(fuzzy_max_distance(query_.size())), limit_(limit) {}

void FuzzyRanker::offer(const std::string& key, PlayerMatch player) {
  const std::u32string folded = fuzzy_fold(key);
  FuzzyMatch m;
  m.prefix = folded.size() >= query_.size() && std::u32string_view(folded).substr(0, query_.size()) == query_;
  m.distance = bounded_edit_distance(query_, folded, max_distance_);
  if (m.distance > max_distance_ && !m.prefix) return;
  if (best_.size() == limit_ && !better(m, key, best_.back().second, best_.back().first)) return;
  m.player = std::move(player);
  auto at = std::find_if(best_.begin(), best_.end(), [&](const auto& e) { return better(m, key, e.second, e.first); });
  best_.insert(at, {key, std::move(m)});
  if (best_.size() > limit_) best_.pop_back();
}

std::vector<FuzzyMatch> FuzzyRanker::take() {
  std::vector<FuzzyMatch> out;
  for (auto& [key, m] : best_) out.push_back(std::move(m));
  best_.clear();
  return out;
}

Result<FuzzyResult> fuzzy_search_players(storage::Database& db, std::string_view text, std::size_t limit, std::int64_t max_scan) {
  FuzzyRanker ranker(text, limit);
  FuzzyResult result;
  std::string after;
  for (;;) {
    const std::int64_t page = std::min(kPage, max_scan - result.scanned);
    if (page <= 0) {
      result.truncated = true;
      break;
    }
    auto r = db.query("SELECT login_key, login, battles, last_ts FROM battle_players WHERE login_key > ? ORDER BY login_key LIMIT ?",
                      std::vector<storage::Value>{storage::Value{after}, storage::Value{page}});
    if (!r) return r.error();
    for (const auto& row : r->rows) ranker.offer(row.text(0), PlayerMatch{row.text(1), row.integer(2), row.opt_integer(3)});
    result.scanned += static_cast<std::int64_t>(r->rows.size());
    if (static_cast<std::int64_t>(r->rows.size()) < page) break;
    after = r->rows.back().text(0);
  }
  // A scan that stopped exactly at the end saw everything.
  if (result.truncated) {
    auto more = db.query("SELECT 1 FROM battle_players WHERE login_key > ? LIMIT 1", std::vector<storage::Value>{storage::Value{after}});
    if (!more) return more.error();
    result.truncated = !more->rows.empty();
  }
  result.matches = ranker.take();
  return result;
}

}  // namespace tzr::battles
