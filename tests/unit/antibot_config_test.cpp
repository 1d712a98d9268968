// The detector's settings from [antibot]: the specification's defaults, operator values reaching
// the trained model, and weights that cannot make an ensemble refused with the key's name.
#include "app/antibot_command.hpp"
#include "app/config_schema.hpp"

#include <gtest/gtest.h>

using namespace tzr;

namespace {

antibot::DetectorOptions options(EnvMap env) {
  auto c = Config::load(app::config_schema(), std::nullopt, std::move(env));
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  auto o = app::detector_options(*c);
  EXPECT_TRUE(o) << (o ? "" : o.error().message);
  return o ? *o : antibot::DetectorOptions{};
}

TEST(AntibotConfig, DefaultsAreTheSpecifications) {
  const auto o = options({});
  const antibot::DetectorOptions spec;
  EXPECT_DOUBLE_EQ(o.threshold, spec.threshold);
  EXPECT_DOUBLE_EQ(o.w_rules, spec.w_rules);
  EXPECT_DOUBLE_EQ(o.w_forest, spec.w_forest);
  EXPECT_DOUBLE_EQ(o.w_kmeans, spec.w_kmeans);
  EXPECT_EQ(o.forest.trees, spec.forest.trees);
  EXPECT_EQ(o.forest.sample_size, spec.forest.sample_size);
  EXPECT_DOUBLE_EQ(o.forest.contamination, spec.forest.contamination);
  EXPECT_EQ(o.kmeans.k, spec.kmeans.k);
  EXPECT_EQ(o.min_battles, spec.min_battles);
}

TEST(AntibotConfig, OperatorValuesReachTheDetector) {
  const auto o = options({{"TZR_ANTIBOT__WEIGHTS", "0.6,0.2,0.2"}, {"TZR_ANTIBOT__THRESHOLD_PCT", "65"},
                          {"TZR_ANTIBOT__KMEANS_K", "5"}, {"TZR_ANTIBOT__FOREST_TREES", "50"}, {"TZR_ANTIBOT__SEED", "7"}});
  EXPECT_DOUBLE_EQ(o.w_rules, 0.6);
  EXPECT_DOUBLE_EQ(o.threshold, 0.65);
  EXPECT_EQ(o.kmeans.k, 5u);
  EXPECT_EQ(o.forest.trees, 50u);
  EXPECT_EQ(o.forest.seed, 7u);
  EXPECT_EQ(o.kmeans.seed, 7u);
}

TEST(AntibotConfig, WeightsThatCannotMakeAnEnsembleAreRefused) {
  for (const char* bad : {"0.5,0.5", "0.5,0.3,0.3", "a,0.5,0.5", "-0.2,0.6,0.6"}) {
    auto c = Config::load(app::config_schema(), std::nullopt, {{"TZR_ANTIBOT__WEIGHTS", bad}});
    ASSERT_TRUE(c);
    auto o = app::detector_options(*c);
    ASSERT_FALSE(o) << bad;
    EXPECT_EQ(o.error().code, "config_error");
    EXPECT_NE(o.error().message.find("antibot.weights"), std::string::npos);
  }
}

}  // namespace
