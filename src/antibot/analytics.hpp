#pragma once
// Pure pieces of the antibot/analytics HTTP API (antibot-analytics.md §7, §11): time zones read
// from the system's TZif files, the 24×7 activity heatmap in a display zone, the moderator
// verdict body, and the validation that decides whether a retrained model replaces the old one.
#include "antibot/detector.hpp"
#include "core/error.hpp"

#include <boost/json/value.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tzr::antibot {

// UTC offsets of one IANA zone over time (transitions of its TZif file; after the last one the
// last offset holds, which is right for zones without DST such as Europe/Moscow).
class TimeZone {
 public:
  static Result<TimeZone> utc();
  // Reads <zoneinfo>/<name>; an unknown or malformed name is a validation error "invalid_timezone".
  static Result<TimeZone> load(const std::string& name, const std::string& zoneinfo = "/usr/share/zoneinfo");
  std::int32_t offset_at(std::int64_t utc_seconds) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::vector<std::int64_t> transitions_;
  std::vector<std::int32_t> offsets_;  // offsets_[i] holds from transitions_[i]; offsets_.back() without transitions
  std::int32_t initial_ = 0;
};

// cells[(iso_weekday − 1) × 24 + hour] in the zone; the sum is the number of battles.
std::array<std::int64_t, 168> heatmap(const std::vector<PlayerBattle>& battles, const TimeZone& zone);
boost::json::value heatmap_json(const std::array<std::int64_t, 168>& cells);  // 168 rows {weekday 1–7, hour, battles}

struct VerdictInput {
  std::string verdict;  // cleared, watch, banned
  std::string note;
};
Result<VerdictInput> parse_verdict(std::string_view body);

// ROC-AUC of scores against moderator labels (banned = bot, cleared = human); NaN without both classes.
double label_auc(const std::vector<std::pair<double, bool>>& scored_labels);

// "Worse" (docs/decisions.md): with moderator labels of both classes, a new model is worse when
// its AUC on them is lower than the current model's; with fewer labels, when it was fitted on
// less than half as many eligible players. A model that failed to train is never installed.
bool candidate_is_worse(double new_auc, double old_auc, std::size_t new_trained_on, std::size_t old_trained_on);

}  // namespace tzr::antibot
