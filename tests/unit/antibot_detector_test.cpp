// The detector: corrected rule components on hand-made features (zeroes count, undefined values do
// not), training on a generated cohort, determinism, the legacy result contract with structured
// reasons, and the versioned model JSON (schema hash checked on load).
#include "antibot/detector.hpp"
#include "antibot/population.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace tzr::antibot;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

PlayerFeatures casual_human() {
  PlayerFeatures f;
  f.battles = 300;
  f.active_days = 12;
  f.active_day_ratio = 0.4;
  f.battles_per_active_day = 25;
  f.survival_rate = 0.85;
  f.kills_monsters_avg = 6;
  f.idle_count = 280;
  f.idle_median_s = 40;
  f.idle_mode_share = 0.03;
  f.sessions = 15;
  f.session_start_mad_hours = 1.5;
  f.daily_hours_mean = 2.5;
  f.session_battles_cv = 0.6;
  return f;
}

struct Trained {
  Population pop;
  std::vector<PlayerFeatures> features;
  Detector detector;
};

const Trained& trained() {
  static const Trained t = [] {
    Trained out{generate_population({.players = 150, .days = 7, .seed = 5}), {}, {}};
    const FeatureOptions window{.window_end = out.pop.window_end(), .window_days = 7};
    for (const auto& p : out.pop.players) out.features.push_back(compute_features(p.battles, window));
    out.detector = *Detector::train(out.features, {}, 7, out.pop.window_end());
    return out;
  }();
  return t;
}

}  // namespace

TEST(AntibotRules, HumanTimingScoresLowEachBotSignalScoresHigh) {
  std::vector<Reason> reasons;
  const double human = rule_score(casual_human(), &reasons);
  EXPECT_LT(human, 0.1);

  auto fast = casual_human();
  fast.idle_median_s = 3;
  reasons.clear();
  EXPECT_EQ(rule_score(fast, &reasons), 1.0);
  ASSERT_FALSE(reasons.empty());
  EXPECT_EQ(reasons.front().code, "fast_idle");
  EXPECT_EQ(reasons.front().severity, "critical");
  EXPECT_EQ(reasons.front().value, 3);

  auto scheduled = casual_human();
  scheduled.session_start_mad_hours = 0;  // a zero is a real value (D8), not "unknown"
  scheduled.active_day_ratio = 1;
  EXPECT_NEAR(rule_score(scheduled, nullptr), 1 - (1 - 0.9) * (1 - 0.1 * 0.6), 1e-12);

  auto unknown = scheduled;
  unknown.session_start_mad_hours = kNaN;  // undefined: no signal
  EXPECT_LT(rule_score(unknown, nullptr), 0.1);

  auto multibox = casual_human();
  multibox.overlap_ratio = 0.3;
  EXPECT_EQ(rule_score(multibox, nullptr), 1.0);

  // Same-second ends alone (duplicate ingests) are not a bot signal any more (D6).
  auto duplicates = casual_human();
  duplicates.same_second_ratio = 0.15;
  duplicates.duplicates_removed = 40;
  EXPECT_EQ(rule_score(duplicates, nullptr), human);

  // Survival counts with its own weight (D4): 0.10 at SR ≥ 0.95.
  auto survivor = casual_human();
  survivor.survival_rate = 0.99;
  EXPECT_NEAR(rule_score(survivor, nullptr), 0.1, 1e-12);
}

TEST(AntibotDetector, TrainsDetectsAndExplains) {
  const auto& t = trained();
  int flagged_bots = 0, bots = 0, flagged_humans = 0;
  for (std::size_t i = 0; i < t.pop.players.size(); ++i) {
    const auto d = t.detector.detect(t.features[i]);
    EXPECT_EQ(d.eligible, t.features[i].battles >= 10);
    if (!d.eligible) continue;
    ASSERT_TRUE(d.ml);
    EXPECT_GE(d.score, 0);
    EXPECT_LE(d.score, 1);
    EXPECT_EQ(d.ml->confidence, d.score);
    EXPECT_TRUE(d.method == "voting_both" || d.method == "kmeans_only" || d.method == "if_only" ||
                d.method == "rule_based");
    EXPECT_EQ(d.ml->attributions.size(), 3u);
    double sum = 0;
    for (const auto& r : d.reasons) sum += r.contribution;
    EXPECT_NEAR(sum, d.score, 1e-9) << "contributions add up to the score";
    if (archetype_is_bot(t.pop.players[i].archetype)) {
      ++bots;
      flagged_bots += d.is_bot;
      if (d.is_bot) {
        EXPECT_FALSE(d.reasons.empty());
      }
    } else {
      flagged_humans += d.is_bot;
    }
  }
  EXPECT_EQ(bots, 15);
  EXPECT_GE(flagged_bots, 14);
  EXPECT_EQ(flagged_humans, 0);

  PlayerFeatures few;
  few.battles = 9;
  const auto skipped = t.detector.detect(few);
  EXPECT_FALSE(skipped.eligible);
  EXPECT_EQ(skipped.method, "insufficient_data");
  EXPECT_FALSE(skipped.ml);
}

TEST(AntibotDetector, DeterministicAndModelJsonRoundTrips) {
  const auto& t = trained();
  auto again = Detector::train(t.features, {}, 7, t.pop.window_end());
  ASSERT_TRUE(again);
  const auto json = t.detector.to_json();
  EXPECT_EQ(boost::json::serialize(again->to_json()), boost::json::serialize(json));
  std::int64_t eligible = 0;
  for (const auto& f : t.features) eligible += f.battles >= 10;
  EXPECT_EQ(json.at("n").to_number<std::int64_t>(), eligible);
  EXPECT_EQ(json.at("window_days").as_int64(), 7);

  auto back = Detector::from_json(json);
  ASSERT_TRUE(back) << back.error().message;
  for (const auto& f : t.features) {
    const auto a = t.detector.detect(f), b = back->detect(f);
    EXPECT_EQ(a.score, b.score);
    EXPECT_EQ(a.method, b.method);
  }
  const auto busiest = *std::max_element(t.features.begin(), t.features.end(),
                                         [](const auto& a, const auto& b) { return a.battles < b.battles; });
  const auto out = to_json(t.detector.detect(busiest));
  EXPECT_TRUE(out.at("ml_detection").is_object());
  EXPECT_TRUE(out.at("metrics").as_object().contains("idle_median_s"));

  auto other_schema = json;
  other_schema.as_object()["feature_schema"] = "0000000000000000";
  EXPECT_EQ(Detector::from_json(other_schema).error().code, "bad_model");
  auto broken = json;
  broken.as_object().erase("weights");
  EXPECT_EQ(Detector::from_json(broken).error().code, "bad_model");
  EXPECT_EQ(Detector::train({casual_human()}, {}, 7, 0).error().code, "not_enough_data");
}
