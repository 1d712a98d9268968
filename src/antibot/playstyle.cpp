#include "antibot/playstyle.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace tzr::antibot {
namespace {

constexpr int kSchemaVersion = 1;
constexpr int kModelVersion = 1;

struct StyleText {
  Playstyle style;
  std::string_view code, ru, en, description_ru, description_en;
};

constexpr std::array<StyleText, kPlaystyleCount> kStyles{{
    {Playstyle::aggressive_pvp, "aggressive_pvp", "Агрессивный PvP", "Aggressive PvP",
     "Ищет бои с игроками и часто убивает", "Seeks out fights with players and kills often"},
    {Playstyle::elite_pvp, "elite_pvp", "Элитный PvP", "Elite PvP", "Почти только PvP, много убийств и редко погибает",
     "Almost only PvP, many kills, rarely dies"},
    {Playstyle::pvp_assassin, "pvp_assassin", "PvP Ассасин", "PvP Assassin", "Много убийств в PvP ценой частых смертей",
     "Many PvP kills at the cost of dying often"},
    {Playstyle::pvp_tank, "pvp_tank", "PvP Танк", "PvP Tank", "Наносит много урона в PvP и выживает",
     "Deals a lot of damage in PvP and survives"},
    {Playstyle::pvp_support, "pvp_support", "PvP Саппорт", "PvP Support", "Часто в PvP, мало убивает, но выживает",
     "Often in PvP, few kills, but survives"},
    {Playstyle::safe_farmer, "safe_farmer", "Безопасный фармер", "Safe farmer", "Фармит монстров и избегает PvP",
     "Farms monsters and avoids PvP"},
    {Playstyle::bot_farmer, "bot_farmer", "Бот/Фарм-бот", "Bot / farm bot",
     "Без PvP, почти не погибает и убивает очень много монстров: так играют фарм-боты",
     "No PvP, almost never dies, kills very many monsters: how farm bots play"},
    {Playstyle::balanced, "balanced", "Сбалансированный", "Balanced", "И PvE, и PvP без явного перекоса",
     "Both PvE and PvP without a clear lean"},
    {Playstyle::pvp_novice, "pvp_novice", "PvP новичок", "PvP novice", "Часто в PvP, но обычно проигрывает",
     "Often in PvP but usually loses"},
    {Playstyle::pve_grinder, "pve_grinder", "PvE гриндер", "PvE grinder", "Набирает много PvE-очков, PvP редко",
     "Earns many PvE points, rarely PvP"},
}};

const StyleText& text_of(Playstyle p) { return kStyles[static_cast<std::size_t>(p)]; }

// §3.4's fixed divisors; index 7 (active_days) is the training window instead.
constexpr std::array<double, kPlaystyleFeatureCount> kDivisors{1, 20, 1, 100000, 10, 2, 1000, 0, 5, 1, 500, 5000};
constexpr std::size_t kActiveDays = 7;

std::array<double, kPlaystyleFeatureCount> values_of(const PlaystyleFeatures& f) {
  return {f.pvp_ratio,   f.kpm,         f.survival_rate, f.avg_pve_points,    f.avg_rank_points, f.aggression_ratio,
          f.battles,     f.active_days, f.kills_per_pvp, f.pvp_survival_rate, f.pvp_battles,     f.avg_pvp_damage};
}

PlaystyleFeatures features_of(const std::array<double, kPlaystyleFeatureCount>& a) {
  return {a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]};
}

double divisor(std::size_t i, int window_days) { return i == kActiveDays ? std::max(1, window_days) : kDivisors[i]; }

PlaystyleFeatures from_row(const Row& r, int window_days) {
  std::array<double, kPlaystyleFeatureCount> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = r[i] * divisor(i, window_days);
  return features_of(a);
}

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

double rounded(double x, int dp) {
  const double m = std::pow(10.0, dp);
  return std::round(x * m) / m;
}

std::string percent(double share, int dp) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f%%", dp, share * 100);
  return buf;
}

boost::json::object features_object(const PlaystyleFeatures& f) {
  boost::json::object o;
  const auto v = values_of(f);
  for (std::size_t i = 0; i < v.size(); ++i) o[playstyle_feature_names()[i]] = v[i];
  return o;
}

}  // namespace

std::string_view playstyle_code(Playstyle p) { return text_of(p).code; }
std::string_view playstyle_name_ru(Playstyle p) { return text_of(p).ru; }
std::string_view playstyle_name_en(Playstyle p) { return text_of(p).en; }
std::string_view playstyle_description_ru(Playstyle p) { return text_of(p).description_ru; }
std::string_view playstyle_description_en(Playstyle p) { return text_of(p).description_en; }

std::optional<Playstyle> playstyle_from_code(std::string_view code) {
  for (const auto& s : kStyles)
    if (s.code == code) return s.style;
  return std::nullopt;
}

const std::array<std::string_view, kPlaystyleFeatureCount>& playstyle_feature_names() {
  static constexpr std::array<std::string_view, kPlaystyleFeatureCount> names{
      "pvp_ratio",   "kpm",           "survival_rate",     "avg_pve_points", "avg_rank_points", "aggression_ratio",
      "battles",     "active_days",   "kills_per_pvp",     "pvp_survival_rate", "pvp_battles",  "avg_pvp_damage"};
  return names;
}

std::uint64_t playstyle_schema_hash() {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  mix("antibot-playstyle-v" + std::to_string(kSchemaVersion));
  for (std::size_t i = 0; i < kPlaystyleFeatureCount; ++i) {
    mix(playstyle_feature_names()[i]);
    mix(i == kActiveDays ? std::string("window_days") : std::to_string(kDivisors[i]));
  }
  mix("aggression_cap=" + std::to_string(kAggressionCap));
  return h;
}

PlaystyleFeatures playstyle_features(const std::vector<PlayerBattle>& battles) {
  PlaystyleFeatures f;
  if (battles.empty()) return f;
  double kills_players = 0, kills_monsters = 0, survived = 0, pve = 0, rank = 0;
  double pvp = 0, pvp_kills = 0, pvp_survived = 0, pvp_damage = 0;
  std::set<std::int64_t> days;
  for (const auto& b : battles) {
    kills_players += b.kills_players;
    kills_monsters += b.kills_monsters;
    survived += b.survived;
    pve += static_cast<double>(b.pve_points);
    rank += b.rank_points;
    days.insert(b.end_ts >= 0 ? b.end_ts / 86400 : (b.end_ts - 86399) / 86400);
    if (b.pvp) {
      ++pvp;
      pvp_kills += b.kills_players;
      pvp_survived += b.survived;
      pvp_damage += static_cast<double>(b.damage_players + b.damage_monsters);
    }
  }
  const double n = static_cast<double>(battles.size());
  f.pvp_ratio = pvp / n;
  f.kpm = (kills_players + kills_monsters) / n;
  f.survival_rate = survived / n;
  f.avg_pve_points = pve / n;
  f.avg_rank_points = rank / n;
  if (kills_monsters > 0)
    f.aggression_ratio = std::min(kAggressionCap, kills_players / kills_monsters);
  else
    f.aggression_ratio = kills_players > 0 ? kAggressionCap : 0;
  f.battles = n;
  f.active_days = static_cast<double>(days.size());
  if (pvp > 0) {
    f.kills_per_pvp = pvp_kills / pvp;
    f.pvp_survival_rate = pvp_survived / pvp;
    f.avg_pvp_damage = pvp_damage / pvp;
  }
  f.pvp_battles = pvp;
  return f;
}

Row playstyle_row(const PlaystyleFeatures& f, int window_days) {
  const auto v = values_of(f);
  Row r(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) r[i] = v[i] / divisor(i, window_days);
  return r;
}

Playstyle label_cluster(const PlaystyleFeatures& m) {
  const double pvp = m.pvp_ratio, sr = m.survival_rate, kpm = m.kpm, kpp = m.kills_per_pvp, pvp_sr = m.pvp_survival_rate;
  if ((pvp < 0.05 && sr > 0.95 && kpm > 15) || (pvp < 0.02 && kpm > 20) || (pvp < 0.10 && sr > 0.97 && kpm > 12))
    return Playstyle::bot_farmer;
  if (pvp > 0.8 && pvp_sr > 0.85 && kpp > 2.5) return Playstyle::elite_pvp;
  if (pvp > 0.6 && kpp > 2.0 && m.aggression_ratio > 0.6) return Playstyle::aggressive_pvp;
  if (pvp > 0.5 && kpp > 3.0 && pvp_sr < 0.7) return Playstyle::pvp_assassin;
  if (pvp > 0.5 && pvp_sr > 0.75 && m.avg_pvp_damage > 2000) return Playstyle::pvp_tank;
  if (pvp > 0.5 && kpp < 1.5 && pvp_sr > 0.65) return Playstyle::pvp_support;
  if (pvp < 0.25 && sr > 0.8 && kpm < 12) return Playstyle::safe_farmer;
  if (pvp > 0.5 && pvp_sr < 0.6) return Playstyle::pvp_novice;
  if (m.avg_pve_points > 50000 && pvp < 0.3) return Playstyle::pve_grinder;
  return Playstyle::balanced;
}

BotVote bot_vote(const PlaystyleFeatures& f, Playstyle cluster) {
  BotVote v;
  char buf[64];
  if (f.pvp_ratio < 0.05)
    v.indicators.push_back({"low_pvp", "pvp_ratio", f.pvp_ratio, 0.05, "PvP < 5% (" + percent(f.pvp_ratio, 1) + ")",
                            "PvP < 5% (" + percent(f.pvp_ratio, 1) + ")"});
  if (f.kpm > 15) {
    std::snprintf(buf, sizeof buf, "KPM > 15 (%.1f)", f.kpm);
    v.indicators.push_back({"high_kpm", "kpm", f.kpm, 15, buf, buf});
  }
  if (f.survival_rate > 0.95)
    v.indicators.push_back({"high_survival", "survival_rate", f.survival_rate, 0.95,
                            "SR > 95% (" + percent(f.survival_rate, 1) + ")", "SR > 95% (" + percent(f.survival_rate, 1) + ")"});
  if (cluster == Playstyle::bot_farmer)
    v.indicators.push_back({"bot_farmer_cluster", "", 0, 0, "Кластер фарм-ботов", "In a farm-bot cluster"});
  v.score = static_cast<double>(v.indicators.size()) / 4;
  v.is_likely_bot = v.indicators.size() >= 3;
  return v;
}

std::string PlaystyleModel::version() const {
  return "kmeans/" + std::to_string(clusters_.size()) + "/" + std::to_string(window_days_) + "d/" + std::to_string(trained_at_);
}

Result<PlaystyleModel> PlaystyleModel::train(const std::vector<PlayerHistory>& cohort, int window_days, std::int64_t window_end,
                                             std::int64_t trained_at, const PlaystyleOptions& options) {
  if (window_days < 1) return Error::make(ErrorKind::validation, "invalid_window", "window_days must be positive");
  struct Member {
    const PlayerHistory* h;
    PlaystyleFeatures f;
  };
  std::vector<Member> members;
  for (const auto& h : cohort)
    if (h.battles.size() >= static_cast<std::size_t>(std::max(1, options.min_battles_train)))
      members.push_back({&h, playstyle_features(h.battles)});
  std::stable_sort(members.begin(), members.end(), [](const Member& a, const Member& b) {
    if (a.f.battles != b.f.battles) return a.f.battles > b.f.battles;
    return a.h->login_key < b.h->login_key;
  });
  if (members.size() < std::max<std::size_t>(1, options.k))
    return Error::make(ErrorKind::unprocessable, "not_enough_data",
                       "not enough players to train: " + std::to_string(members.size()) + " with at least " +
                           std::to_string(options.min_battles_train) + " battles, need at least " + std::to_string(options.k));
  std::vector<Row> rows;
  rows.reserve(members.size());
  for (const auto& m : members) rows.push_back(playstyle_row(m.f, window_days));
  auto km = KMeans::fit(rows, {.k = options.k, .n_init = options.n_init, .seed = options.seed});
  if (!km) return km.error();

  PlaystyleModel model;
  model.options_ = options;
  model.window_days_ = window_days;
  model.window_end_ = window_end;
  model.trained_on_ = members.size();
  model.trained_at_ = trained_at;
  std::vector<std::array<double, kPlaystyleFeatureCount>> sums(options.k);
  model.clusters_.resize(options.k);
  for (std::size_t i = 0; i < members.size(); ++i) {
    const std::size_t id = km->assign(rows[i]).cluster;
    auto& c = model.clusters_[id];
    ++c.players;
    const auto v = values_of(members[i].f);
    auto& sum = sums[id];
    for (std::size_t k = 0; k < v.size(); ++k) sum[k] += v[k];
    if (c.sample_logins.size() < options.sample_logins) c.sample_logins.push_back(members[i].h->login);
  }
  for (std::size_t id = 0; id < model.clusters_.size(); ++id) {
    auto& c = model.clusters_[id];
    c.id = id;
    if (c.players == 0) {
      c.mean = from_row(km->centroid_unscaled(id), window_days);
    } else {
      for (auto& s : sums[id]) s /= static_cast<double>(c.players);
      c.mean = features_of(sums[id]);
    }
    c.playstyle = label_cluster(c.mean);
  }
  model.kmeans_ = std::move(*km);
  return model;
}

Result<PlaystyleClassification> PlaystyleModel::classify(const PlayerHistory& player) const {
  if (player.battles.size() < static_cast<std::size_t>(std::max(1, options_.min_battles_classify)))
    return Error::make(ErrorKind::not_found, "not_enough_battles",
                       "the player has " + std::to_string(player.battles.size()) + " battles in the window; at least " +
                           std::to_string(options_.min_battles_classify) + " are needed");
  PlaystyleClassification out;
  out.features = playstyle_features(player.battles);
  const auto a = kmeans_->assign(playstyle_row(out.features, window_days_));
  out.cluster = a.cluster;
  out.confidence = a.confidence;
  out.distance = a.distance;
  const auto& c = clusters_.at(a.cluster);
  out.playstyle = c.playstyle;
  for (const auto& login : c.sample_logins)
    if (login != player.login && out.similar_players.size() < 5) out.similar_players.push_back(login);
  out.bot = bot_vote(out.features, c.playstyle);
  return out;
}

boost::json::value PlaystyleModel::to_json() const {
  boost::json::array names, divisors, clusters;
  for (std::size_t i = 0; i < kPlaystyleFeatureCount; ++i) {
    names.push_back(boost::json::string(playstyle_feature_names()[i]));
    divisors.push_back(divisor(i, window_days_));
  }
  for (const auto& c : clusters_) {
    boost::json::array logins;
    for (const auto& l : c.sample_logins) logins.push_back(boost::json::string(l));
    clusters.push_back(boost::json::object{{"cluster_id", c.id}, {"playstyle", playstyle_code(c.playstyle)},
                                           {"players", c.players}, {"mean", features_object(c.mean)},
                                           {"sample_logins", std::move(logins)}});
  }
  return boost::json::object{{"kind", "playstyle"},
                             {"version", kModelVersion},
                             {"feature_schema", hex64(playstyle_schema_hash())},
                             {"features", std::move(names)},
                             {"divisors", std::move(divisors)},
                             {"window_days", window_days_},
                             {"window_end", window_end_},
                             {"n", trained_on_},
                             {"trained_at", trained_at_},
                             {"k", options_.k},
                             {"n_init", options_.n_init},
                             {"seed", options_.seed},
                             {"min_battles_train", options_.min_battles_train},
                             {"min_battles_classify", options_.min_battles_classify},
                             {"kmeans", kmeans_->to_json()},
                             {"clusters", std::move(clusters)}};
}

Result<PlaystyleModel> PlaystyleModel::from_json(const boost::json::value& json) {
  auto bad = [](std::string why) { return Error::make(ErrorKind::bad_request, "bad_model", std::move(why)); };
  const auto* o = json.if_object();
  if (!o) return bad("a model is a JSON object");
  const auto* kind = o->if_contains("kind");
  if (!kind || !kind->is_string() || kind->as_string() != "playstyle") return bad("not a playstyle model");
  const auto* version = o->if_contains("version");
  if (!version || !version->is_int64() || version->as_int64() != kModelVersion) return bad("unknown model version");
  const auto* schema = o->if_contains("feature_schema");
  if (!schema || !schema->is_string() || schema->as_string() != hex64(playstyle_schema_hash()))
    return bad("the model was trained on another feature schema; train again");
  PlaystyleModel m;
  try {
    m.window_days_ = static_cast<int>(o->at("window_days").to_number<std::int64_t>());
    m.window_end_ = o->at("window_end").to_number<std::int64_t>();
    m.trained_on_ = o->at("n").to_number<std::size_t>();
    m.trained_at_ = o->at("trained_at").to_number<std::int64_t>();
    m.options_.k = o->at("k").to_number<std::size_t>();
    m.options_.n_init = o->at("n_init").to_number<std::size_t>();
    m.options_.seed = o->at("seed").to_number<std::uint64_t>();
    m.options_.min_battles_train = static_cast<int>(o->at("min_battles_train").to_number<std::int64_t>());
    m.options_.min_battles_classify = static_cast<int>(o->at("min_battles_classify").to_number<std::int64_t>());
    for (const auto& cv : o->at("clusters").as_array()) {
      const auto& co = cv.as_object();
      PlaystyleCluster c;
      c.id = co.at("cluster_id").to_number<std::size_t>();
      auto style = playstyle_from_code(co.at("playstyle").as_string());
      if (!style) return bad("unknown playstyle " + std::string(co.at("playstyle").as_string()));
      c.playstyle = *style;
      c.players = co.at("players").to_number<std::size_t>();
      std::array<double, kPlaystyleFeatureCount> mean{};
      const auto& mo = co.at("mean").as_object();
      for (std::size_t i = 0; i < mean.size(); ++i) mean[i] = mo.at(playstyle_feature_names()[i]).to_number<double>();
      c.mean = features_of(mean);
      for (const auto& l : co.at("sample_logins").as_array()) c.sample_logins.emplace_back(l.as_string());
      if (c.id != m.clusters_.size()) return bad("clusters must be listed by id from 0");
      m.clusters_.push_back(std::move(c));
    }
  } catch (const std::exception&) {
    return bad("a model field is missing or has the wrong type");
  }
  if (m.window_days_ < 1) return bad("window_days must be positive");
  auto km = KMeans::from_json(o->at("kmeans"));
  if (!km) return km.error();
  if (km->centroids().size() != m.clusters_.size() || km->centroids().front().size() != kPlaystyleFeatureCount)
    return bad("the model's shapes do not match the feature schema");
  m.kmeans_ = std::move(*km);
  return m;
}

boost::json::object avg_features_json(const PlaystyleFeatures& m, int window_days) {
  return {{"pvp_ratio", rounded(m.pvp_ratio, 3)},
          {"kpm", rounded(m.kpm, 2)},
          {"survival_rate", rounded(m.survival_rate, 3)},
          {"avg_pve_points", rounded(m.avg_pve_points, 0)},
          {"avg_rank_points", rounded(m.avg_rank_points, 2)},
          {"aggression_ratio", rounded(m.aggression_ratio / kDivisors[5], 3)},  // normalised (÷2), as the reference
          {"activity_ratio", rounded(m.active_days / std::max(1, window_days), 3)},
          {"kills_per_pvp", rounded(m.kills_per_pvp, 2)},
          {"pvp_survival_rate", rounded(m.pvp_survival_rate, 3)},
          {"pvp_damage", rounded(m.avg_pvp_damage, 0)},
          {"battles", rounded(m.battles, 1)},
          {"pvp_battles", rounded(m.pvp_battles, 1)}};
}

boost::json::object player_features_json(const PlaystyleFeatures& f, int window_days) {
  boost::json::object o = features_object(f);
  o["total_battles"] = f.battles;
  o["activity_ratio"] = f.active_days / std::max(1, window_days);
  return o;
}

boost::json::object cluster_json(const PlaystyleCluster& c, int window_days) {
  return {{"cluster_id", c.id},
          {"playstyle", playstyle_code(c.playstyle)},
          {"display_name", playstyle_name_ru(c.playstyle)},
          {"display_name_en", playstyle_name_en(c.playstyle)},
          {"description", playstyle_description_ru(c.playstyle)},
          {"description_en", playstyle_description_en(c.playstyle)},
          {"player_count", c.players},
          {"avg_features", avg_features_json(c.mean, window_days)}};
}

boost::json::object classification_json(const PlaystyleClassification& c, const PlaystyleModel& model,
                                        const std::string& login) {
  const auto& cluster = model.clusters().at(c.cluster);
  boost::json::array similar, codes, structured;
  for (const auto& s : c.similar_players) similar.push_back(boost::json::string(s));
  for (const auto& i : c.bot.indicators) {
    codes.push_back(boost::json::string(i.code));
    structured.push_back(boost::json::object{{"code", i.code}, {"feature", i.feature}, {"value", i.value},
                                             {"threshold", i.threshold}, {"message", i.message_ru},
                                             {"message_en", i.message_en}});
  }
  return {{"login", login},
          {"cluster_id", c.cluster},
          {"playstyle", playstyle_code(c.playstyle)},
          {"display_name", playstyle_name_ru(c.playstyle)},
          {"display_name_en", playstyle_name_en(c.playstyle)},
          {"description", playstyle_description_ru(c.playstyle)},
          {"description_en", playstyle_description_en(c.playstyle)},
          {"confidence", c.confidence},
          {"distance", c.distance},
          {"cluster_size", cluster.players},
          {"player_features", player_features_json(c.features, model.window_days())},
          {"cluster_averages", avg_features_json(cluster.mean, model.window_days())},
          {"similar_players", std::move(similar)},
          {"bot_detection", boost::json::object{{"bot_score", c.bot.score},
                                                {"is_likely_bot", c.bot.is_likely_bot},
                                                {"indicators_count", c.bot.indicators.size()},
                                                {"reasons", std::move(codes)},
                                                {"reasons_structured", std::move(structured)}}}};
}

boost::json::object cluster_stats_json(const PlaystyleModel& model) {
  std::vector<const PlaystyleCluster*> order;
  for (const auto& c : model.clusters()) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->players > b->players; });
  boost::json::array clusters;
  for (const auto* c : order) clusters.push_back(cluster_json(*c, model.window_days()));
  // Clusters sharing a label are summed here, never overwritten (the reference's meta/balance did).
  boost::json::array by_style;
  for (const auto& s : kStyles) {
    boost::json::array ids;
    std::size_t players = 0;
    for (const auto* c : order)
      if (c->playstyle == s.style) {
        ids.push_back(c->id);
        players += c->players;
      }
    if (ids.empty()) continue;
    by_style.push_back(boost::json::object{{"playstyle", s.code}, {"display_name", s.ru}, {"display_name_en", s.en},
                                           {"clusters", std::move(ids)}, {"player_count", players}});
  }
  return {{"clusters", std::move(clusters)},
          {"total_clusters", model.clusters().size()},
          {"by_playstyle", std::move(by_style)},
          {"players_trained", model.trained_on()}};
}

}  // namespace tzr::antibot
