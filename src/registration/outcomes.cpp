#include "registration/outcomes.hpp"

#include <algorithm>

namespace tzr::registration {

using storage::Value;

std::string outcome_login(std::string_view login) {
  std::size_t end = login.size();
  if (end > kMaxOutcomeLogin) {
    end = kMaxOutcomeLogin;
    // Back off continuation bytes (10xxxxxx) so the cut falls before a lead byte.
    while (end > 0 && (static_cast<unsigned char>(login[end]) & 0xC0) == 0x80) --end;
  }
  std::string out(login.substr(0, end));
  // Control characters (NUL above all, which PostgreSQL text refuses) would poison a whole batch.
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  return out;
}

OutcomeSummary summarize(const std::vector<DayCount>& rows, std::int64_t first_day, std::int64_t days) {
  OutcomeSummary s;
  s.by_day.resize(static_cast<std::size_t>(std::max<std::int64_t>(days, 0)));
  for (std::int64_t i = 0; i < days; ++i) s.by_day[static_cast<std::size_t>(i)].day = first_day + i;
  std::map<std::string, std::int64_t> codes;
  for (const auto& r : rows) {
    if (r.day < first_day || r.day >= first_day + days) continue;
    auto& d = s.by_day[static_cast<std::size_t>(r.day - first_day)];
    d.by_code[r.code] += r.count;
    d.total += r.count;
    codes[r.code] += r.count;
    s.total += r.count;
  }
  for (const auto& [code, n] : codes) s.by_code.push_back({code, n});
  std::stable_sort(s.by_code.begin(), s.by_code.end(), [](const CodeCount& a, const CodeCount& b) { return a.count > b.count; });
  return s;
}

Status OutcomeStore::append(const std::vector<RegistrationOutcome>& batch) {
  if (batch.empty()) return {};
  return db_.transaction([&](storage::Session& s) -> Status {
    for (const auto& o : batch) {
      const Value p[] = {Value{o.at}, Value{o.code}, Value{o.login}, Value{o.source}, Value{o.duration_ms}};
      auto r = s.query("INSERT INTO registration_outcomes (at, code, login, source, duration_ms) VALUES (?, ?, ?, ?, ?)", p);
      if (!r) return r.error();
    }
    return {};
  });
}

Result<std::vector<RegistrationOutcome>> OutcomeStore::recent(const OutcomeFilter& f) const {
  std::string sql = "SELECT id, at, code, login, source, duration_ms FROM registration_outcomes WHERE at >= ? AND at < ?";
  std::vector<Value> p{Value{f.from}, Value{f.to}};
  if (f.code) {
    sql += " AND code = ?";
    p.push_back(Value{*f.code});
  }
  if (f.before_id) {
    sql += " AND id < ?";
    p.push_back(Value{*f.before_id});
  }
  sql += " ORDER BY id DESC LIMIT ?";
  p.push_back(Value{f.limit});
  auto r = db_.query(sql, p);
  if (!r) return r.error();
  std::vector<RegistrationOutcome> out;
  out.reserve(r->rows.size());
  for (const auto& row : r->rows)
    out.push_back({row.integer(0), row.integer(1), row.text(2), row.text(3), row.text(4), row.integer(5)});
  // Codes are ASCII identifiers, but a case-insensitive collation (MySQL) must not widen the filter.
  if (f.code) std::erase_if(out, [&](const RegistrationOutcome& o) { return o.code != *f.code; });
  return out;
}

Result<std::vector<DayCount>> OutcomeStore::day_counts(std::int64_t from, std::int64_t to) const {
  const Value p[] = {Value{from}, Value{to}};
  auto r = db_.query(
      "SELECT at - at % 86400, code, COUNT(*) FROM registration_outcomes WHERE at >= ? AND at < ?"
      " GROUP BY at - at % 86400, code",
      p);
  if (!r) return r.error();
  std::vector<DayCount> out;
  for (const auto& row : r->rows) out.push_back({row.integer(0) / 86400, row.text(1), row.integer(2)});
  return out;
}

Result<std::int64_t> OutcomeStore::prune_before(std::int64_t at) {
  Value p{at};
  auto r = db_.query("DELETE FROM registration_outcomes WHERE at < ?", std::span(&p, 1));
  if (!r) return r.error();
  return r->affected_rows;
}

void OutcomeRecorder::record(RegistrationOutcome outcome) {
  std::lock_guard lock(mu_);
  if (pending_.size() >= max_pending_) {
    pending_.pop_front();
    ++dropped_;
  }
  pending_.push_back(std::move(outcome));
}

Status OutcomeRecorder::flush() {
  std::lock_guard writer(flush_mu_);
  std::vector<RegistrationOutcome> batch;
  {
    std::lock_guard lock(mu_);
    batch.assign(std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.end()));
    pending_.clear();
  }
  Status st = store_.append(batch);
  if (!st && st.error().code != storage::kUnavailable && st.error().code != storage::kRetryable) {
    // Not an outage: the same rows would fail again and block every later outcome.
    std::lock_guard lock(mu_);
    dropped_ += static_cast<std::int64_t>(batch.size());
    return st;
  }
  if (!st) {
    // Back to the front, in order, within the bound (newest kept).
    std::lock_guard lock(mu_);
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
      if (pending_.size() >= max_pending_) {
        ++dropped_;
        continue;
      }
      pending_.push_front(std::move(*it));
    }
  }
  return st;
}

std::int64_t OutcomeRecorder::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace tzr::registration
