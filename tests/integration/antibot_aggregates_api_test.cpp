// The aggregate analytics routes on the battles port, black box (antibot-analytics.md §7.3
// players/top, §7.4, §7.5): a synthetic corpus (battles synth: clans, PvP, mixed battles,
// monsters, loot) ingested with the CLI, `serve` on the same store (SQLite, PostgreSQL, MariaDB). Every number is
// recomputed here from the raw rows — PvP from the participants' sides, days and hours from
// gmtime, z-scores from the zero-filled series — and compared with the answers; then the
// parameter errors (400, the unknown metric's 422, 404) in the one envelope.
#include "support/backends.hpp"
#include "support/process.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

using namespace tzr::test;
using namespace std::chrono_literals;
namespace bj = boost::json;

namespace {

int run(std::vector<std::string> args, std::map<std::string, std::string> env) {
  std::vector<std::string> argv{tzrhost_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv, std::move(env));
  p.read_all(180s);
  return p.wait(180s).value_or(-1);
}

struct RawBattle {
  std::int64_t ts = 0, x = 0, y = 0, players = 0, monsters = 0;
  std::set<std::int64_t> sides;
  bool has_monster_rows = false;
};
struct RawPart {
  std::int64_t battle = 0, side = 0, survived = 0, km = 0, kp = 0, pve = 0;
  std::string login, key, clan;
  double rank = 0;
};

std::string date_of(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

double num(const bj::value& v) { return v.is_double() ? v.as_double() : static_cast<double>(v.as_int64()); }

class AntibotAggregatesApi : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(AntibotAggregatesApi, EveryEndpointMatchesTheStore) {
  std::string server;
  if (GetParam() != "sqlite") {
    TZR_REQUIRE_SERVER_URL(url, server_env_name(GetParam()).c_str());
    server = url;
  }
  TempDir dir;
  ScratchDatabase scratch(GetParam(), dir, server);
  const std::map<std::string, std::string> env{{"TZR_STORAGE__URL", scratch.url()}, {"TZR_SERVER__VAR_DIR", dir.str() + "/var"},
                                               {"TZR_ADMIN__TOKEN", "aggregates-test-token"}, {"TZR_LOG__LEVEL", "warn"},
                                               {"TZR_GAME_DB__URL", "sqlite://" + dir.str() + "/game.db"}};
  ASSERT_EQ(run({"battles", "synth", "--players", "60", "--days", "4", "--seed", "11", "--out", dir.str() + "/logs"}, env), 0);
  ASSERT_EQ(run({"ingest", "--quiet", dir.str() + "/logs"}, env), 0);
  // The corpus ends on 2025-10-04; the window is the 7 days before 2025-10-06 00:00 UTC.
  const std::int64_t until = 1759276800 + 5 * 86400, from = until - 7 * 86400;
  const std::string window = "days=7&until=" + std::to_string(until);

  // ---- the raw rows ----
  auto& db = scratch.db();
  std::map<std::int64_t, RawBattle> battles;
  auto b = db.query("SELECT battle_id, ts, loc_x, loc_y, players_cnt, monsters_cnt FROM battles WHERE ts IS NOT NULL");
  ASSERT_TRUE(b);
  for (const auto& r : b->rows)
    if (r.integer(1) >= from && r.integer(1) < until)
      battles[r.integer(0)] = RawBattle{r.integer(1), r.integer(2), r.integer(3), r.integer(4), r.integer(5), {}, false};
  ASSERT_GT(battles.size(), 100u);
  std::vector<RawPart> parts;
  auto p = db.query("SELECT battle_id, login, login_key, clan, side, survived, kills_monsters, kills_players, rank_points,"
                    " pve_points FROM battle_participants");
  ASSERT_TRUE(p);
  for (const auto& r : p->rows) {
    if (!battles.count(r.integer(0))) continue;
    parts.push_back(RawPart{r.integer(0), r.integer(4), r.integer(5), r.integer(6), r.integer(7), r.integer(9), r.text(1),
                            r.text(2), r.opt_text(3).value_or(""), r.real(8)});
    battles[r.integer(0)].sides.insert(r.integer(4));
  }
  struct RawMonster {
    std::int64_t battle;
    std::string kind, spec;
    std::int64_t count;
  };
  std::vector<RawMonster> monsters;
  auto m = db.query("SELECT battle_id, kind, spec, count FROM battle_monsters");
  ASSERT_TRUE(m);
  for (const auto& r : m->rows) {
    if (!battles.count(r.integer(0))) continue;
    monsters.push_back({r.integer(0), r.text(1), r.text(2), r.integer(3)});
    battles[r.integer(0)].has_monster_rows = true;
  }
  auto pvp = [](const RawBattle& x) { return x.sides.size() >= 2; };

  TzrHost host(std::vector<std::string>{"serve", "--only", "battles"}, env, std::vector<std::string>{"battles"});  // no shop: not on MySQL
  const int port = host.port("battles");
  auto get = [port](const std::string& target) {
    auto r = http(port, "GET", target);
    EXPECT_EQ(r.status, 200) << target << " " << r.body;
    return r.status == 200 ? r.json() : bj::value(bj::object{});
  };

  // ---- players/top: kills_monsters, at least 3 battles, two pages ----
  {
    struct Tot { std::string login; std::int64_t n = 0, wins = 0, km = 0; };
    std::map<std::string, Tot> tot;
    for (const auto& x : parts) {
      auto& t = tot[x.key];
      if (t.login.empty() || x.login < t.login) t.login = x.login;
      ++t.n;
      t.wins += x.survived;
      t.km += x.km;
    }
    std::vector<std::pair<std::string, Tot>> ranked;
    for (const auto& [k, t] : tot)
      if (t.n >= 3) ranked.push_back({k, t});
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& c) {
      return a.second.km != c.second.km ? a.second.km > c.second.km : a.first < c.first;
    });
    ASSERT_GT(ranked.size(), 10u);
    for (int offset : {0, 5}) {
      auto top = get("/analytics/players/top?metric=kills_monsters&min_battles=3&limit=5&offset=" + std::to_string(offset) + "&" + window);
      EXPECT_EQ(top.at("period_days"), 7);
      EXPECT_EQ(top.at("total").as_int64(), static_cast<std::int64_t>(ranked.size()));
      EXPECT_TRUE(top.as_object().contains("generated_at"));
      const auto& items = top.at("items").as_array();
      ASSERT_EQ(items.size(), 5u);
      for (std::size_t i = 0; i < 5; ++i) {
        const auto& want = ranked[static_cast<std::size_t>(offset) + i].second;
        EXPECT_EQ(items[i].at("login").as_string(), want.login);
        EXPECT_EQ(items[i].at("kills_monsters").as_int64(), want.km);
        EXPECT_EQ(items[i].at("battles_count").as_int64(), want.n);
        EXPECT_EQ(items[i].at("losses").as_int64(), want.n - want.wins);
        EXPECT_EQ(items[i].at("rank").as_int64(), offset + static_cast<std::int64_t>(i) + 1);
      }
    }
    // sort_by is the dashboard's name of the same parameter; survival_rate is wins / battles.
    auto sr = get("/analytics/players/top?sort_by=survival_rate&min_battles=3&limit=1&" + window);
    double best = 0;
    for (const auto& [k, t] : ranked) best = std::max(best, static_cast<double>(t.wins) / static_cast<double>(t.n));
    EXPECT_DOUBLE_EQ(sr.at("items").at(0).at("survival_rate").as_double(), best);
    EXPECT_EQ(sr.at("metric"), "survival_rate");
  }

  // ---- activity heatmap (UTC and Moscow) and peak hours ----
  {
    std::vector<std::int64_t> cells(168), total(24), pvp_h(24), pve_h(24), mixed(24), other(24);
    for (const auto& [id, x] : battles) {
      const std::time_t tt = static_cast<std::time_t>(x.ts);
      std::tm tm{};
      gmtime_r(&tt, &tm);
      ++cells[static_cast<std::size_t>(((tm.tm_wday + 6) % 7) * 24 + tm.tm_hour)];
      const auto h = static_cast<std::size_t>(tm.tm_hour);
      ++total[h];
      pvp_h[h] += pvp(x);
      pve_h[h] += x.has_monster_rows;
      mixed[h] += pvp(x) && x.has_monster_rows;
      other[h] += !pvp(x) && !x.has_monster_rows;
    }
    auto utc = get("/analytics/time/activity-heatmap?tz=UTC&" + window);
    auto msk = get("/analytics/time/activity-heatmap?" + window);  // antibot.timezone: Europe/Moscow
    EXPECT_EQ(utc.at("tz"), "UTC");
    EXPECT_EQ(msk.at("tz"), "Europe/Moscow");
    EXPECT_EQ(utc.at("total_battles").as_int64(), static_cast<std::int64_t>(battles.size()));
    ASSERT_EQ(utc.at("items").as_array().size(), 168u);
    std::vector<std::int64_t> u(168), k(168);
    for (const auto& c : utc.at("items").as_array())
      u[static_cast<std::size_t>((c.at("weekday").as_int64() - 1) * 24 + c.at("hour").as_int64())] = c.at("battles").as_int64();
    for (const auto& c : msk.at("items").as_array())
      k[static_cast<std::size_t>((c.at("weekday").as_int64() - 1) * 24 + c.at("hour").as_int64())] = c.at("battles").as_int64();
    EXPECT_EQ(u, cells);
    for (std::size_t i = 0; i < 168; ++i) EXPECT_EQ(k[(i + 3) % 168], cells[i]) << i;  // Moscow is UTC+3

    auto peak = get("/analytics/time/peak-hours?tz=UTC&" + window);
    const auto& hours = peak.at("items").as_array();
    ASSERT_EQ(hours.size(), 24u);
    for (std::size_t h = 0; h < 24; ++h) {
      EXPECT_EQ(hours[h].at("total_battles").as_int64(), total[h]) << h;
      EXPECT_EQ(hours[h].at("pvp_battles").as_int64(), pvp_h[h]) << h;
      EXPECT_EQ(hours[h].at("pve_battles").as_int64(), pve_h[h]) << h;
      EXPECT_EQ(hours[h].at("mixed_battles").as_int64(), mixed[h]) << h;
      EXPECT_EQ(hours[h].at("other_battles").as_int64(), other[h]) << h;
    }
    EXPECT_GT(std::accumulate(mixed.begin(), mixed.end(), std::int64_t{0}), 0) << "the corpus has mixed battles";
    const auto want_peak = std::max_element(total.begin(), total.end()) - total.begin();
    EXPECT_EQ(peak.at("peak_hour").as_int64(), want_peak);
  }

  // ---- clan control and clan wars ----
  {
    std::map<std::pair<std::int64_t, std::int64_t>, std::map<std::string, std::int64_t>> at;
    for (const auto& x : parts)
      if (!x.clan.empty()) ++at[{battles[x.battle].x, battles[x.battle].y}][x.clan];
    struct Want { std::int64_t x, y; std::string clan; std::int64_t n; double share; std::string second; };
    std::vector<Want> want;
    for (const auto& [loc, clans] : at) {
      std::vector<std::pair<std::string, std::int64_t>> v(clans.begin(), clans.end());
      std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& c) { return a.second > c.second; });
      std::int64_t sum = 0;
      for (const auto& [c, n] : v) sum += n;
      want.push_back({loc.first, loc.second, v[0].first, v[0].second, static_cast<double>(v[0].second) / static_cast<double>(sum),
                      v.size() > 1 ? v[1].first : ""});
    }
    std::sort(want.begin(), want.end(), [](const Want& a, const Want& c) {
      if (a.n != c.n) return a.n > c.n;
      if (a.share != c.share) return a.share > c.share;
      return std::pair(a.x, a.y) < std::pair(c.x, c.y);
    });
    auto cc = get("/analytics/map/clan-control?limit=50&" + window);
    EXPECT_EQ(cc.at("total").as_int64(), static_cast<std::int64_t>(want.size()));
    const auto& items = cc.at("items").as_array();
    ASSERT_EQ(items.size(), std::min<std::size_t>(50, want.size()));
    for (std::size_t i = 0; i < items.size(); ++i) {
      EXPECT_EQ(items[i].at("loc").at("x").as_int64(), want[i].x) << i;
      EXPECT_EQ(items[i].at("loc").at("y").as_int64(), want[i].y) << i;
      EXPECT_EQ(items[i].at("dominant").at("clan").as_string(), want[i].clan) << i;
      EXPECT_EQ(items[i].at("dominant").at("participations").as_int64(), want[i].n) << i;
      EXPECT_DOUBLE_EQ(items[i].at("dominant").at("share").as_double(), want[i].share) << i;
      if (want[i].second.empty()) EXPECT_TRUE(items[i].at("runner_up").is_null());
      else EXPECT_EQ(items[i].at("runner_up").at("clan").as_string(), want[i].second) << i;
    }

    std::map<std::pair<std::string, std::string>, std::set<std::int64_t>> pairs;
    std::map<std::int64_t, std::vector<const RawPart*>> by_battle;
    for (const auto& x : parts) by_battle[x.battle].push_back(&x);
    for (const auto& [id, ps] : by_battle)
      for (const auto* a : ps)
        for (const auto* c : ps)
          if (!a->clan.empty() && !c->clan.empty() && a->clan < c->clan && a->side != c->side) pairs[{a->clan, c->clan}].insert(id);
    std::vector<std::tuple<std::int64_t, std::string, std::string>> wars;
    for (const auto& [k, ids] : pairs) wars.emplace_back(-static_cast<std::int64_t>(ids.size()), k.first, k.second);
    std::sort(wars.begin(), wars.end());
    ASSERT_FALSE(wars.empty()) << "the corpus has clan fights";
    auto cw = get("/analytics/clans/wars?limit=100&" + window);
    EXPECT_EQ(cw.at("total").as_int64(), static_cast<std::int64_t>(wars.size()));
    const auto& got = cw.at("items").as_array();
    ASSERT_EQ(got.size(), std::min<std::size_t>(100, wars.size()));
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].at("battles").as_int64(), -std::get<0>(wars[i])) << i;
      EXPECT_EQ(got[i].at("clan1").as_string(), std::get<1>(wars[i])) << i;
      EXPECT_EQ(got[i].at("clan2").as_string(), std::get<2>(wars[i])) << i;
    }
  }

  // ---- resource inflow per UTC day and its leave-one-out anomalies ----
  {
    const std::int64_t first_day = until / 86400 - 7;
    std::map<std::string, std::vector<std::int64_t>> series;
    auto l = db.query("SELECT battle_ts, item_name, qty FROM battle_loot WHERE kind = 'resource'");
    ASSERT_TRUE(l);
    for (const auto& r : l->rows) {
      const std::int64_t day = r.integer(0) / 86400 - first_day;
      if (day < 0 || day >= 7) continue;
      auto& s = series[r.text(1)];
      s.resize(7);
      s[static_cast<std::size_t>(day)] += r.integer(2);
    }
    ASSERT_FALSE(series.empty());
    auto eco = get("/analytics/economy/resources?threshold=1.5&" + window);
    EXPECT_EQ(std::string(eco.at("date_from").as_string()), date_of(first_day * 86400));
    EXPECT_EQ(std::string(eco.at("date_to").as_string()), date_of((first_day + 6) * 86400));
    const auto& totals = eco.at("daily_totals").as_array();
    ASSERT_EQ(totals.size(), 7u);
    for (std::size_t d = 0; d < 7; ++d) {
      std::int64_t sum = 0;
      for (const auto& [name, s] : series) sum += s[d];
      EXPECT_EQ(totals[d].at("total").as_int64(), sum) << d;
      EXPECT_EQ(std::string(totals[d].at("date").as_string()), date_of((first_day + static_cast<std::int64_t>(d)) * 86400));
    }
    EXPECT_EQ(eco.at("items").as_array().size(), 7 * series.size());
    for (const auto& it : eco.at("items").as_array()) {
      const auto& s = series.at(std::string(it.at("resource").as_string()));
      std::size_t d = 0;
      while (d < 7 && date_of((first_day + static_cast<std::int64_t>(d)) * 86400) != std::string(it.at("date").as_string())) ++d;
      ASSERT_LT(d, 7u);
      EXPECT_EQ(it.at("qty").as_int64(), s[d]);
    }
    // z of each day against the other six (sample sd); missing days count as 0.
    std::map<std::pair<std::string, std::string>, std::optional<double>> z;
    std::int64_t flagged = 0;
    for (const auto& [name, s] : series)
      for (std::size_t i = 0; i < 7; ++i) {
        double mean = 0, ss = 0;
        for (std::size_t j = 0; j < 7; ++j) mean += j == i ? 0 : static_cast<double>(s[j]) / 6.0;
        for (std::size_t j = 0; j < 7; ++j) ss += j == i ? 0 : (static_cast<double>(s[j]) - mean) * (static_cast<double>(s[j]) - mean);
        const double sd = std::sqrt(ss / 5.0);
        const auto key = std::pair(name, date_of((first_day + static_cast<std::int64_t>(i)) * 86400));
        if (sd > 1e-9) z[key] = (static_cast<double>(s[i]) - mean) / sd;
        else z[key] = std::nullopt;
        flagged += sd > 1e-9 ? std::fabs(*z[key]) > 1.5 : static_cast<double>(s[i]) != mean;
      }
    EXPECT_EQ(static_cast<std::int64_t>(eco.at("anomalies").as_array().size()), flagged);
    auto an = get("/analytics/anomalies?threshold=1.5&limit=1000&" + window);
    EXPECT_EQ(an.at("anomalies_count").as_int64(), flagged);
    EXPECT_EQ(an.at("total").as_int64(), static_cast<std::int64_t>(7 * series.size()));
    double last = INFINITY;
    for (const auto& it : an.at("items").as_array()) {
      const auto& want = z.at({std::string(it.at("resource").as_string()), std::string(it.at("date").as_string())});
      if (!want) {
        EXPECT_TRUE(it.at("z_score").is_null());
        continue;
      }
      const double got = it.at("z_score").as_double();
      EXPECT_NEAR(got, *want, 1e-9);
      EXPECT_EQ(it.at("is_anomaly").as_bool(), std::fabs(*want) > 1.5);
      EXPECT_LE(std::fabs(got), last + 1e-12);
      last = std::fabs(got);
    }
  }

  // ---- monsters: breakdown, one location, one kind ----
  {
    std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::set<std::int64_t>>> by;
    for (const auto& x : monsters) {
      by[{x.kind, x.spec}].first += x.count;
      by[{x.kind, x.spec}].second.insert(x.battle);
    }
    std::vector<std::tuple<std::int64_t, std::string, std::string, std::int64_t>> want;
    for (const auto& [k, v] : by) want.emplace_back(-v.first, k.first, k.second, static_cast<std::int64_t>(v.second.size()));
    std::sort(want.begin(), want.end());
    ASSERT_FALSE(want.empty());
    auto br = get("/analytics/pve/monsters/breakdown?limit=1000&" + window);
    const auto& items = br.at("items").as_array();
    ASSERT_EQ(items.size(), want.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      EXPECT_EQ(items[i].at("count").as_int64(), -std::get<0>(want[i]));
      EXPECT_EQ(items[i].at("kind").as_string(), std::get<1>(want[i]));
      EXPECT_EQ(items[i].at("spec").as_string(), std::get<2>(want[i]));
      EXPECT_EQ(items[i].at("battles").as_int64(), std::get<3>(want[i]));
    }
    const auto& some = battles.at(monsters.front().battle);
    std::int64_t at_loc = 0;
    for (const auto& x : monsters) at_loc += battles.at(x.battle).x == some.x && battles.at(x.battle).y == some.y ? x.count : 0;
    auto one = get("/analytics/pve/monsters/breakdown?limit=1000&loc_x=" + std::to_string(some.x) + "&loc_y=" + std::to_string(some.y) +
                   "&" + window);
    std::int64_t got_loc = 0;
    for (const auto& it : one.at("items").as_array()) got_loc += it.at("count").as_int64();
    EXPECT_EQ(got_loc, at_loc);

    std::string kind = std::get<1>(want[0]);
    if (kind.size() > 5 && kind.ends_with("_spec")) kind.resize(kind.size() - 5);
    std::set<std::int64_t> ids;
    std::int64_t count = 0;
    for (const auto& x : monsters)
      if (x.kind == kind || x.kind == kind + "_spec") {
        ids.insert(x.battle);
        count += x.count;
      }
    std::int64_t people = 0, survived = 0;
    for (const auto& x : parts)
      if (ids.count(x.battle)) {
        ++people;
        survived += x.survived;
      }
    auto mk = get("/analytics/monster/" + kind + "?" + window);
    EXPECT_EQ(mk.at("battles_count").as_int64(), static_cast<std::int64_t>(ids.size()));
    EXPECT_EQ(mk.at("total_count").as_int64(), count);
    EXPECT_DOUBLE_EQ(num(mk.at("avg_per_battle")), static_cast<double>(count) / static_cast<double>(ids.size()));
    EXPECT_EQ(mk.at("participations").as_int64(), people);
    EXPECT_DOUBLE_EQ(num(mk.at("player_survival_rate")), static_cast<double>(survived) / static_cast<double>(people));
  }

  // ---- stats ----
  {
    std::set<std::int64_t> days;
    std::int64_t pv = 0, pe = 0, mx = 0, players = 0, mons = 0;
    for (const auto& [id, x] : battles) {
      days.insert(x.ts / 86400);
      pv += pvp(x);
      pe += x.has_monster_rows;
      mx += pvp(x) && x.has_monster_rows;
      players += x.players;
      mons += x.monsters;
    }
    std::set<std::string> keys, clans;
    for (const auto& x : parts) {
      keys.insert(x.key);
      if (!x.clan.empty()) clans.insert(x.clan);
    }
    auto st = get("/analytics/stats?" + window);
    const auto& sb = st.at("battles");
    const auto n = static_cast<double>(battles.size());
    EXPECT_EQ(sb.at("total").as_int64(), static_cast<std::int64_t>(battles.size()));
    EXPECT_EQ(sb.at("pvp").as_int64(), pv);
    EXPECT_EQ(sb.at("pve").as_int64(), pe);
    EXPECT_EQ(sb.at("mixed").as_int64(), mx);
    EXPECT_EQ(sb.at("active_days").as_int64(), static_cast<std::int64_t>(days.size()));
    EXPECT_DOUBLE_EQ(num(sb.at("avg_players_per_battle")), static_cast<double>(players) / n);
    EXPECT_DOUBLE_EQ(num(sb.at("avg_monsters_per_battle")), static_cast<double>(mons) / n);
    EXPECT_EQ(st.at("players").at("unique_players").as_int64(), static_cast<std::int64_t>(keys.size()));
    EXPECT_EQ(st.at("players").at("unique_clans").as_int64(), static_cast<std::int64_t>(clans.size()));
    EXPECT_EQ(st.at("players").at("participations").as_int64(), static_cast<std::int64_t>(parts.size()));
  }

  // ---- errors: one envelope; 400 for bad values, 422 for an unknown metric, 404 ----
  auto err = [port](const std::string& target, int status, const std::string& code) {
    auto r = http(port, "GET", target);
    EXPECT_EQ(r.status, status) << target << " " << r.body;
    if (r.status != status) return;
    const auto j = r.json();
    EXPECT_EQ(j.at("ok"), false) << target;
    EXPECT_EQ(std::string(j.at("error").as_string()), code) << target;
    EXPECT_TRUE(j.as_object().contains("request_id")) << target;
  };
  err("/analytics/players/top?metric=kpm", 422, "unknown_metric");
  err("/analytics/players/top?metric=wins&sort_by=kills_players", 400, "invalid_parameter");
  err("/analytics/players/top?limit=0", 400, "invalid_parameter");
  err("/analytics/players/top?limit=101", 400, "invalid_parameter");
  err("/analytics/players/top?days=366", 400, "invalid_parameter");
  err("/analytics/players/top?min_battles=0", 400, "invalid_parameter");
  err("/analytics/players/top?offset=-1", 400, "invalid_parameter");
  err("/analytics/time/activity-heatmap?tz=Mars/Olympus", 400, "invalid_timezone");
  err("/analytics/time/peak-hours?days=abc", 400, "invalid_parameter");
  err("/analytics/map/clan-control?limit=51", 400, "invalid_parameter");
  err("/analytics/clans/wars?limit=101", 400, "invalid_parameter");
  err("/analytics/anomalies?threshold=0", 400, "invalid_parameter");
  err("/analytics/anomalies?days=2", 400, "invalid_parameter");
  err("/analytics/economy/resources?threshold=abc", 400, "invalid_parameter");
  err("/analytics/pve/monsters/breakdown?loc_x=1", 400, "invalid_parameter");
  err("/analytics/monster/no_such_monster", 404, "monster_not_found");
  auto bad = http(port, "GET", "/analytics/players/top?metric=kpm").json();
  EXPECT_TRUE(bad.at("fields").as_object().contains("metric"));
}

INSTANTIATE_TEST_SUITE_P(Backends, AntibotAggregatesApi, ::testing::Values("sqlite", "postgres", "mysql"),
                         [](const auto& p) { return p.param; });
