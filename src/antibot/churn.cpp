#include "antibot/churn.hpp"

#include <algorithm>

namespace tzr::antibot {

std::string_view churn_risk_name(ChurnRisk r) {
  switch (r) {
    case ChurnRisk::high: return "high";
    case ChurnRisk::medium: return "medium";
    case ChurnRisk::low: return "low";
  }
  return "low";
}

std::optional<ChurnRisk> parse_churn_risk(std::string_view name) {
  for (auto r : {ChurnRisk::low, ChurnRisk::medium, ChurnRisk::high})
    if (churn_risk_name(r) == name) return r;
  return std::nullopt;
}

ChurnRisk churn_risk_of(double score) {
  if (score >= 0.7) return ChurnRisk::high;
  if (score >= 0.4) return ChurnRisk::medium;
  return ChurnRisk::low;
}

std::optional<ChurnEstimate> estimate_churn(const PlayerHistory& player, const ChurnOptions& o) {
  const std::int64_t span = std::int64_t{o.window_days} * 86400;
  const std::int64_t from = o.window_end - span, middle = o.window_end - span / 2;
  ChurnEstimate e;
  e.login_key = player.login_key;
  e.login = player.login;
  for (const auto& b : player.battles) {
    if (b.end_ts < from || b.end_ts >= o.window_end) continue;
    ++e.battles;
    ++(b.end_ts < middle ? e.first_half : e.second_half);
    e.last_ts = std::max(e.last_ts, b.end_ts);
  }
  if (e.battles == 0 || e.battles < o.min_battles) return std::nullopt;
  e.days_since_last_battle = static_cast<double>(o.window_end - e.last_ts) / 86400.0;
  if (e.first_half > 0)
    e.activity_drop = std::clamp(1.0 - static_cast<double>(e.second_half) / static_cast<double>(e.first_half), 0.0, 1.0);
  e.inactivity = std::clamp(e.days_since_last_battle / (static_cast<double>(o.window_days) / 2.0), 0.0, 1.0);
  e.churn_score = std::max(e.activity_drop, e.inactivity);
  e.risk = churn_risk_of(e.churn_score);
  return e;
}

std::optional<ChurnOrder> parse_churn_order(std::string_view name) {
  if (name == "risk") return ChurnOrder::risk;
  if (name == "activity") return ChurnOrder::activity;
  return std::nullopt;
}

void order_churn(std::vector<ChurnEstimate>& rows, ChurnOrder order) {
  std::sort(rows.begin(), rows.end(), [order](const ChurnEstimate& a, const ChurnEstimate& b) {
    if (order == ChurnOrder::risk && a.churn_score != b.churn_score) return a.churn_score > b.churn_score;
    if (order == ChurnOrder::activity && a.battles != b.battles) return a.battles > b.battles;
    return a.login_key < b.login_key;
  });
}

std::array<std::int64_t, 10> churn_histogram(const std::vector<ChurnEstimate>& rows) {
  std::array<std::int64_t, 10> bins{};
  for (const auto& r : rows) ++bins[static_cast<std::size_t>(std::clamp(static_cast<int>(r.churn_score * 10), 0, 9))];
  return bins;
}

}  // namespace tzr::antibot
