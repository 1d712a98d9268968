#include "bridge/job_ledger.hpp"

#include "crypto/canonical_json.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace tzr::bridge {

std::string outcome_to_json(const JobOutcome& o) {
  boost::json::object j{{"ok", o.ok}, {"result", o.result}};
  if (!o.ok) {
    j["code"] = o.failure.code;
    j["text"] = o.failure.text;
    if (o.failure.fields) j["fields"] = *o.failure.fields;
    if (!o.failure.message.empty()) j["message"] = o.failure.message;
  }
  // Canonical text keeps floats as floats ("1.0"), so a re-sent result signs the same values.
  return crypto::canonical_json(j).value();
}

std::optional<JobOutcome> outcome_from_json(std::string_view text) {
  auto v = crypto::parse_python_json(text);
  if (!v || !v->is_object()) return std::nullopt;
  const auto& j = v->as_object();
  const auto* ok = j.if_contains("ok");
  if (!ok || !ok->is_bool()) return std::nullopt;
  JobOutcome o;
  o.ok = ok->as_bool();
  if (const auto* r = j.if_contains("result")) o.result = *r;
  if (!o.ok) {
    if (const auto* c = j.if_contains("code"); c && c->is_string()) o.failure.code = std::string(c->as_string());
    if (const auto* t = j.if_contains("text"); t && t->is_string()) o.failure.text = std::string(t->as_string());
    if (const auto* f = j.if_contains("fields"); f && f->is_object()) o.failure.fields = f->as_object();
    if (const auto* m = j.if_contains("message"); m && m->is_string()) o.failure.message = std::string(m->as_string());
  }
  return o;
}

Result<std::optional<JobOutcome>> AgentResultStore::find(const std::string& job_id) {
  const storage::Value params[] = {job_id};
  auto rows = db_.query("SELECT outcome FROM bridge_agent_results WHERE job_id = ?", params);
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<JobOutcome>();
  return outcome_from_json(rows->rows.front().text(0));
}

Status AgentResultStore::save(const std::string& job_id, const std::string& job_type, const JobOutcome& outcome, std::int64_t now) {
  const storage::Value params[] = {job_id, job_type, outcome_to_json(outcome), now};
  auto r = db_.query("INSERT INTO bridge_agent_results (job_id, job_type, outcome, created_at) VALUES (?, ?, ?, ?)", params);
  // Another copy of this agent saved it first: the stored outcome stands.
  if (!r && r.error().code != storage::kUniqueViolation) return r.error();
  return {};
}

Result<std::int64_t> AgentResultStore::purge(std::int64_t older_than) {
  const storage::Value params[] = {older_than};
  auto r = db_.query("DELETE FROM bridge_agent_results WHERE created_at < ?", params);
  if (!r) return r.error();
  return r->affected_rows;
}

Result<bool> AgentResultStore::claim(const std::string& job_id, const std::string& agent_id, std::int64_t until, std::int64_t now) {
  const storage::Value row[] = {job_id, agent_id, until};
  auto inserted = db_.query("INSERT INTO bridge_agent_claims (job_id, agent_id, claim_until) VALUES (?, ?, ?)", row);
  if (inserted) return true;
  if (inserted.error().code != storage::kUniqueViolation) return inserted.error();
  // Held: ours again (a re-push), or another agent's that ran out (that agent died mid-job).
  const storage::Value takeover[] = {agent_id, until, job_id, agent_id, now};
  auto taken = db_.query("UPDATE bridge_agent_claims SET agent_id = ?, claim_until = ? WHERE job_id = ? AND (agent_id = ? OR claim_until < ?)",
                         takeover);
  if (!taken) return taken.error();
  return taken->affected_rows > 0;
}

Status AgentResultStore::release(const std::string& job_id, const std::string& agent_id) {
  const storage::Value params[] = {job_id, agent_id};
  auto r = db_.query("DELETE FROM bridge_agent_claims WHERE job_id = ? AND agent_id = ?", params);
  if (!r) return r.error();
  return {};
}

Result<bool> AgentResultStore::admit_nonce(const std::string& nonce, std::int64_t expires_at, std::int64_t now) {
  if (++admitted_ % 512 == 0) {
    const storage::Value horizon[] = {now};
    if (auto swept = db_.query("DELETE FROM bridge_agent_nonces WHERE expires_at < ?", horizon); !swept) return swept.error();
  }
  const storage::Value row[] = {nonce, expires_at};
  auto inserted = db_.query("INSERT INTO bridge_agent_nonces (nonce, expires_at) VALUES (?, ?)", row);
  if (inserted) return true;
  if (inserted.error().code != storage::kUniqueViolation) return inserted.error();
  // A row left by a frame that has expired since (not swept yet) does not make this a replay.
  const storage::Value renew[] = {expires_at, nonce, now};
  auto renewed = db_.query("UPDATE bridge_agent_nonces SET expires_at = ? WHERE nonce = ? AND expires_at < ?", renew);
  if (!renewed) return renewed.error();
  return renewed->affected_rows > 0;
}

JobLedger::Claim JobLedger::claim(const std::string& id, std::int64_t now, JobOutcome* outcome) {
  expire(now);
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    entries_.emplace(id, std::make_shared<Entry>());
    ++running_;
    return Claim::run;
  }
  if (it->second->done) {
    if (outcome) *outcome = it->second->outcome;
    return Claim::done;
  }
  return Claim::wait;
}

boost::asio::awaitable<std::optional<JobOutcome>> JobLedger::wait(std::string id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) co_return std::nullopt;
  auto entry = it->second;
  if (entry->done) co_return entry->outcome;
  auto timer = std::make_shared<boost::asio::steady_timer>(executor_, boost::asio::steady_timer::time_point::max());
  entry->waiters.push_back(timer);
  co_await timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return entry->last;
}

void JobLedger::wake(Entry& e) {
  for (auto& t : e.waiters) t->cancel();
  e.waiters.clear();
}

void JobLedger::finish(const std::string& id, const JobOutcome& outcome, bool final, std::int64_t now) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto entry = it->second;
  if (!entry->done && running_ > 0) --running_;
  entry->last = outcome;
  wake(*entry);
  if (!final) {
    entries_.erase(it);
    return;
  }
  entry->done = true;
  entry->outcome = outcome;
  entry->done_at = now;
  finished_.emplace_back(now, id);
  expire(now);
}

void JobLedger::remember(const std::string& id, const JobOutcome& outcome, std::int64_t now) {
  auto& entry = entries_[id];
  if (!entry) entry = std::make_shared<Entry>();
  else if (!entry->done && running_ > 0) --running_;
  entry->done = true;
  entry->outcome = outcome;
  entry->done_at = now;
  entry->last = outcome;
  wake(*entry);
  finished_.emplace_back(now, id);
  expire(now);
}

void JobLedger::abandon(const std::string& id) {
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second->done) return;
  if (running_ > 0) --running_;
  it->second->last.reset();
  wake(*it->second);
  entries_.erase(it);
}

void JobLedger::expire(std::int64_t now) {
  while (!finished_.empty()) {
    const auto& [at, id] = finished_.front();
    const bool too_old = at + limits_.ttl_seconds <= now;
    const bool too_many = finished_.size() > limits_.capacity;
    if (!too_old && !too_many) break;
    auto it = entries_.find(id);
    // Only the entry this record describes (an id may have been forgotten and seen again).
    if (it != entries_.end() && it->second->done && it->second->done_at == at) entries_.erase(it);
    finished_.pop_front();
  }
}

}  // namespace tzr::bridge
