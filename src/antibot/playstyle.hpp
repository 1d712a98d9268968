#pragma once
// The playstyle classifier (antibot-analytics.md §3.4, §4.3, §6) with the reference's defects
// fixed: feature 12 is the real damage a player dealt in PvP battles (D32, so pvp_tank can be
// assigned); PvP is "humans on at least two sides" (DESIGN.md, D7); active_days is divided by the
// model's training window in training and in classification alike (D10); the per-player bot vote
// counts each indicator once (D11); clusters that share a label stay separate entries.
// Pure: histories in, model and classifications out; the routes and the CLI do the I/O.
#include "antibot/features.hpp"
#include "antibot/kmeans.hpp"
#include "antibot/store.hpp"
#include "core/error.hpp"

#include <boost/json/value.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tzr::antibot {

enum class Playstyle {
  aggressive_pvp,
  elite_pvp,
  pvp_assassin,
  pvp_tank,
  pvp_support,
  safe_farmer,
  bot_farmer,
  balanced,
  pvp_novice,
  pve_grinder,
};
inline constexpr std::size_t kPlaystyleCount = 10;

std::string_view playstyle_code(Playstyle p);  // "aggressive_pvp", …
std::optional<Playstyle> playstyle_from_code(std::string_view code);
std::string_view playstyle_name_ru(Playstyle p);  // the reference's display names, «Агрессивный PvP», …
std::string_view playstyle_name_en(Playstyle p);
std::string_view playstyle_description_ru(Playstyle p);
std::string_view playstyle_description_en(Playstyle p);

// The 12 features of §3.4 in their natural units (kills per match, points, HP, counts); the
// model divides them by fixed divisors (playstyle_row) before the scaler. Field order = schema.
struct PlaystyleFeatures {
  double pvp_ratio = 0;          // PvP battles / battles
  double kpm = 0;                // kills (players + monsters) per battle
  double survival_rate = 0;
  double avg_pve_points = 0;
  double avg_rank_points = 0;
  double aggression_ratio = 0;   // mean player kills / mean monster kills, capped (see kAggressionCap)
  double battles = 0;
  double active_days = 0;        // distinct UTC days with a battle end
  double kills_per_pvp = 0;      // player kills per PvP battle (0 without PvP battles)
  double pvp_survival_rate = 0;  // survived share of PvP battles (0 without PvP battles)
  double pvp_battles = 0;
  double avg_pvp_damage = 0;     // HP dealt (to players and monsters) per PvP battle (0 without PvP battles)
};
inline constexpr std::size_t kPlaystyleFeatureCount = sizeof(PlaystyleFeatures) / sizeof(double);
static_assert(kPlaystyleFeatureCount == 12, "update playstyle_feature_names() with the struct");

// Player kills with no monster kills at all would divide by zero; the reference then reported 0
// (no aggression at all for a pure PvP killer). The ratio is capped here and that case takes the cap.
inline constexpr double kAggressionCap = 10;

const std::array<std::string_view, kPlaystyleFeatureCount>& playstyle_feature_names();
// FNV-1a over the schema version, the names and the divisors: stored with every model.
std::uint64_t playstyle_schema_hash();

// Every battle given counts (the caller picks the window). Exact values, no defaults for zero.
PlaystyleFeatures playstyle_features(const std::vector<PlayerBattle>& battles);

// The model row: each feature over its fixed divisor (§3.4); active_days over window_days, the
// training window of the model (the same divisor at training and at classification).
Row playstyle_row(const PlaystyleFeatures& f, int window_days);

// The §4.3 rules on a cluster's mean features (first match wins). Thresholds are the reference's;
// aggr_ratio was compared while still divided by 2, so "> 0.3" there is "> 0.6" on the real ratio.
Playstyle label_cluster(const PlaystyleFeatures& mean);

// The per-player bot heuristic of the playstyle classifier: three distinct indicators on the
// player's own values (PvP < 5 %, KPM > 15, SR > 95 %; PvP is no longer counted twice) and one on
// the cluster (its label is bot_farmer). score = indicators / 4, likely bot from 3 indicators.
// The bot detector (detector.hpp) is the real verdict; this is the legacy "K-means vote".
struct BotIndicator {
  std::string code;  // low_pvp, high_kpm, high_survival, bot_farmer_cluster
  std::string feature;
  double value = 0, threshold = 0;
  std::string message_ru, message_en;
};
struct BotVote {
  double score = 0;
  bool is_likely_bot = false;
  std::vector<BotIndicator> indicators;
};
BotVote bot_vote(const PlaystyleFeatures& f, Playstyle cluster);

struct PlaystyleOptions {
  std::size_t k = 8;
  std::size_t n_init = 10;
  std::uint64_t seed = 42;
  int min_battles_train = 10;
  int min_battles_classify = 5;
  std::size_t sample_logins = 6;  // logins of the training snapshot kept per cluster (similar players)
};

struct PlaystyleCluster {
  std::size_t id = 0;
  Playstyle playstyle = Playstyle::balanced;
  std::size_t players = 0;                  // training players assigned to it
  PlaystyleFeatures mean;                   // of its training players (the centroid if it has none)
  std::vector<std::string> sample_logins;   // its players by battles desc, then login
};

struct PlaystyleClassification {
  std::size_t cluster = 0;
  Playstyle playstyle = Playstyle::balanced;
  double confidence = 1;  // 1 − d(own) / max_k d(k) in scaled space
  double distance = 0;
  PlaystyleFeatures features;
  std::vector<std::string> similar_players;  // ≤ 5, from the training snapshot, without the player
  BotVote bot;
};

class PlaystyleModel {
 public:
  // Fits the scaler and k-means++ on the players of the cohort with ≥ min_battles_train battles
  // (taken in the order battles desc, then login key). "not_enough_data" (422) with fewer than k.
  static Result<PlaystyleModel> train(const std::vector<PlayerHistory>& cohort, int window_days, std::int64_t window_end,
                                      std::int64_t trained_at, const PlaystyleOptions& options = {});

  // The player's battles in the request window. "not_enough_battles" (404) under min_battles_classify.
  Result<PlaystyleClassification> classify(const PlayerHistory& player) const;

  const std::vector<PlaystyleCluster>& clusters() const { return clusters_; }
  int window_days() const { return window_days_; }
  std::int64_t window_end() const { return window_end_; }
  std::size_t trained_on() const { return trained_on_; }
  std::int64_t trained_at() const { return trained_at_; }
  const PlaystyleOptions& options() const { return options_; }
  std::string version() const;  // "kmeans/<k>/<window>d/<trained_at>"

  boost::json::value to_json() const;
  static Result<PlaystyleModel> from_json(const boost::json::value& json);

 private:
  PlaystyleOptions options_;
  std::optional<KMeans> kmeans_;
  std::vector<PlaystyleCluster> clusters_;
  int window_days_ = 0;
  std::int64_t window_end_ = 0;
  std::size_t trained_on_ = 0;
  std::int64_t trained_at_ = 0;
};

// JSON shapes of the API (§7.3): features with the reference's rounding and names.
boost::json::object avg_features_json(const PlaystyleFeatures& mean, int window_days);
boost::json::object player_features_json(const PlaystyleFeatures& f, int window_days);
boost::json::object cluster_json(const PlaystyleCluster& c, int window_days);
boost::json::object classification_json(const PlaystyleClassification& c, const PlaystyleModel& model,
                                        const std::string& login);
// {clusters: [...] by size desc (id on ties), total_clusters, by_playstyle: [{playstyle, clusters, player_count}]}.
boost::json::object cluster_stats_json(const PlaystyleModel& model);

}  // namespace tzr::antibot
