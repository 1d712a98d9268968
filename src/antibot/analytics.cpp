#include "antibot/analytics.hpp"

#include "core/json.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

namespace tzr::antibot {
namespace {

Error bad_zone(const std::string& name, const std::string& why) {
  Error e = Error::make(ErrorKind::validation, "invalid_timezone", "tz '" + name + "': " + why);
  e.fields.push_back({"tz", why});
  return e;
}

std::int64_t be(const std::string& s, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + static_cast<std::size_t>(i)]);
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

}  // namespace

Result<TimeZone> TimeZone::utc() {
  TimeZone z;
  z.name_ = "UTC";
  return z;
}

Result<TimeZone> TimeZone::load(const std::string& name, const std::string& zoneinfo) {
  if (name == "UTC" || name == "Etc/UTC") return utc();
  const bool sane = !name.empty() && name.size() <= 64 && name.find("..") == std::string::npos && name.front() != '/' &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
                    });
  if (!sane) return bad_zone(name, "must be an IANA zone name such as Europe/Moscow");
  // A directory (tz=Europe) or a special file would make the stream throw; zone files are small.
  const std::string path = zoneinfo + "/" + name;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) || std::filesystem::file_size(path, ec) > (1u << 20) || ec)
    return bad_zone(name, "unknown time zone");
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad_zone(name, "unknown time zone");
  const std::string s((std::istreambuf_iterator<char>(in)), {});
  if (s.size() < 44 || s.compare(0, 4, "TZif") != 0) return bad_zone(name, "unknown time zone");
  // Header: magic, version, 15 reserved, then isutcnt isstdcnt leapcnt timecnt typecnt charcnt.
  auto counts = [&](std::size_t at) {
    std::array<std::int64_t, 6> c{};
    for (std::size_t i = 0; i < 6; ++i) c[i] = be(s, at + 20 + 4 * i, 4);
    return c;
  };
  // Counts are signed 32-bit on disk: a negative or absurd one is a damaged file, not an offset.
  auto sane_counts = [](const std::array<std::int64_t, 6>& c) {
    return std::all_of(c.begin(), c.end(), [](std::int64_t n) { return n >= 0 && n <= 1'000'000; });
  };
  auto c = counts(0);
  if (!sane_counts(c)) return bad_zone(name, "malformed zone file");
  std::size_t at = 44;
  int tbytes = 4;
  if (s[4] >= '2') {  // skip the 32-bit body to the 64-bit one
    at += static_cast<std::size_t>(c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
    if (s.size() < at + 44) return bad_zone(name, "malformed zone file");
    c = counts(at);
    if (!sane_counts(c)) return bad_zone(name, "malformed zone file");
    at += 44;
    tbytes = 8;
  }
  const auto timecnt = static_cast<std::size_t>(c[3]), typecnt = static_cast<std::size_t>(c[4]);
  if (typecnt == 0 || s.size() < at + timecnt * static_cast<std::size_t>(tbytes + 1) + typecnt * 6)
    return bad_zone(name, "malformed zone file");
  TimeZone z;
  z.name_ = name;
  std::vector<std::int32_t> type_offsets(typecnt);
  const std::size_t types_at = at + timecnt * static_cast<std::size_t>(tbytes + 1);
  for (std::size_t i = 0; i < typecnt; ++i) type_offsets[i] = static_cast<std::int32_t>(be(s, types_at + 6 * i, 4));
  for (std::size_t i = 0; i < timecnt; ++i) {
    const auto idx = static_cast<unsigned char>(s[at + timecnt * static_cast<std::size_t>(tbytes) + i]);
    if (idx >= typecnt) return bad_zone(name, "malformed zone file");
    z.transitions_.push_back(be(s, at + i * static_cast<std::size_t>(tbytes), tbytes));
    z.offsets_.push_back(type_offsets[idx]);
  }
  z.initial_ = type_offsets[0];
  return z;
}

std::int32_t TimeZone::offset_at(std::int64_t t) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  if (it == transitions_.begin()) return initial_;
  return offsets_[static_cast<std::size_t>(it - transitions_.begin() - 1)];
}

std::array<std::int64_t, 168> heatmap(const std::vector<PlayerBattle>& battles, const TimeZone& zone) {
  std::array<std::int64_t, 168> cells{};
  for (const auto& b : battles) {
    const std::int64_t local = b.end_ts + zone.offset_at(b.end_ts);
    const std::int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    const std::int64_t hour = (local - day * 86400) / 3600;
    const std::int64_t iso = ((day % 7) + 7 + 3) % 7;  // 1970-01-01 was a Thursday (ISO 4 → index 3)
    ++cells[static_cast<std::size_t>(iso * 24 + hour)];
  }
  return cells;
}

boost::json::value heatmap_json(const std::array<std::int64_t, 168>& cells) {
  boost::json::array out;
  for (int d = 0; d < 7; ++d)
    for (int h = 0; h < 24; ++h)
      out.push_back(boost::json::object{{"weekday", d + 1}, {"hour", h}, {"battles", cells[static_cast<std::size_t>(d * 24 + h)]}});
  return out;
}

Result<VerdictInput> parse_verdict(std::string_view body) {
  auto o = json::parse_object(body);
  if (!o) return o.error();
  VerdictInput v;
  auto verdict = json::get_string(*o, "verdict");
  if (!verdict || (*verdict != "cleared" && *verdict != "watch" && *verdict != "banned")) {
    Error e = Error::make(ErrorKind::validation, "invalid_verdict", "verdict must be cleared, watch or banned");
    e.fields.push_back({"verdict", "must be cleared, watch or banned"});
    return e;
  }
  v.verdict = std::string(*verdict);
  if (auto note = json::get_string(*o, "note")) {
    if (note->size() > 2000) {
      Error e = Error::make(ErrorKind::validation, "invalid_note", "note must be at most 2000 characters");
      e.fields.push_back({"note", "at most 2000 characters"});
      return e;
    }
    v.note = std::string(*note);
  }
  return v;
}

double label_auc(const std::vector<std::pair<double, bool>>& s) {
  double pos = 0, neg = 0, wins = 0;
  for (const auto& [score, bot] : s) (bot ? pos : neg) += 1;
  if (pos == 0 || neg == 0) return std::numeric_limits<double>::quiet_NaN();
  for (const auto& [a, ab] : s) {
    if (!ab) continue;
    for (const auto& [b, bb] : s)
      if (!bb) wins += a > b ? 1.0 : a == b ? 0.5 : 0.0;
  }
  return wins / (pos * neg);
}

bool candidate_is_worse(double new_auc, double old_auc, std::size_t new_trained_on, std::size_t old_trained_on) {
  if (!std::isnan(new_auc) && !std::isnan(old_auc)) return new_auc < old_auc;
  return old_trained_on > 0 && new_trained_on * 2 < old_trained_on;
}

}  // namespace tzr::antibot
