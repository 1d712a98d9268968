#pragma once
// Churn risk (antibot-analytics.md §7.4 `/analytics/predictions/churn`). The reference's
// churn = 1 − second/first is negative when activity grows and says nothing about a player who
// stopped a week ago at his usual pace. Here (docs/decisions.md "Ratings and churn"), over the
// window [end − days, end) split at its middle:
//   activity_drop = clamp(1 − second_half / first_half, 0, 1)   (0 without first-half battles)
//   inactivity    = clamp(days_since_last_battle / (days / 2), 0, 1)
//   churn_score   = max(activity_drop, inactivity)
// risk: high ≥ 0.7, medium ≥ 0.4, else low. Pure: the window end is the clock.
#include "antibot/store.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tzr::antibot {

enum class ChurnRisk { low, medium, high };
std::string_view churn_risk_name(ChurnRisk r);
std::optional<ChurnRisk> parse_churn_risk(std::string_view name);
ChurnRisk churn_risk_of(double score);

struct ChurnOptions {
  std::int64_t window_end = 0;  // exclusive, and the "now" of days_since_last_battle
  int window_days = 30;
  std::int64_t min_battles = 5;
};

struct ChurnEstimate {
  std::string login_key, login;
  std::int64_t battles = 0, first_half = 0, second_half = 0;
  std::int64_t last_ts = 0;
  double days_since_last_battle = 0;
  double activity_drop = 0, inactivity = 0, churn_score = 0;
  ChurnRisk risk = ChurnRisk::low;
};

// nullopt under min_battles battles in the window (battles outside it are ignored).
std::optional<ChurnEstimate> estimate_churn(const PlayerHistory& player, const ChurnOptions& options);

enum class ChurnOrder { risk, activity };  // risk: score desc; activity: battles desc; then login_key
std::optional<ChurnOrder> parse_churn_order(std::string_view name);
void order_churn(std::vector<ChurnEstimate>& rows, ChurnOrder order);

// Players per score decile: bins[i] holds scores in [i/10, (i+1)/10), the last one includes 1.
std::array<std::int64_t, 10> churn_histogram(const std::vector<ChurnEstimate>& rows);

}  // namespace tzr::antibot
