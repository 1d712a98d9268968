#include "bridge/hub_store.hpp"

#include "bridge/job_ledger.hpp"
#include "crypto/canonical_json.hpp"

namespace tzr::bridge {
namespace {

std::string_view status_name(HubJob::Status s) {
  switch (s) {
    case HubJob::Status::pending: return "pending";
    case HubJob::Status::done: return "done";
    case HubJob::Status::expired: return "expired";
    case HubJob::Status::answered: return "answered";
  }
  return "pending";
}

HubJob from_row(const storage::Row& r) {
  HubJob j;
  j.id = r.text(0);
  j.job_type = r.text(1);
  j.fingerprint = r.text(2);
  if (auto p = crypto::parse_python_json(r.text(3)); p && p->is_object()) j.payload = p->as_object();
  const std::string status = r.text(4);
  j.status = status == "done"       ? HubJob::Status::done
             : status == "expired"  ? HubJob::Status::expired
             : status == "answered" ? HubJob::Status::answered
                                    : HubJob::Status::pending;
  if (auto o = r.opt_text(5)) j.outcome = outcome_from_json(*o);
  j.created_at = r.integer(6);
  return j;
}

constexpr std::string_view kColumns = "job_id, job_type, fingerprint, payload, status, outcome, created_at";

}  // namespace

Status HubJobStore::insert(const HubJob& job) {
  const storage::Value params[] = {job.id,
                                   job.job_type,
                                   job.fingerprint,
                                   crypto::canonical_json(job.payload).value(),
                                   std::string(status_name(job.status)),
                                   job.created_at};
  auto r = db_.query(
      "INSERT INTO bridge_hub_jobs (job_id, job_type, fingerprint, payload, status, created_at) VALUES (?, ?, ?, ?, ?, ?)", params);
  if (!r) return r.error();
  return {};
}

Result<std::optional<HubJob>> HubJobStore::find(const std::string& id) {
  const storage::Value params[] = {id};
  auto rows = db_.query("SELECT " + std::string(kColumns) + " FROM bridge_hub_jobs WHERE job_id = ?", params);
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<HubJob>();
  return std::optional<HubJob>(from_row(rows->rows.front()));
}

Status HubJobStore::finish(const std::string& id, const JobOutcome& outcome, std::int64_t now) {
  const storage::Value params[] = {outcome_to_json(outcome), now, id};
  auto r = db_.query("UPDATE bridge_hub_jobs SET status = 'done', outcome = ?, finished_at = ?, claimed_by = NULL, claim_until = NULL WHERE job_id = ? AND status <> 'done'",
                     params);
  if (!r) return r.error();
  return {};
}

Result<std::vector<HubJob>> HubJobStore::pending_since(std::int64_t since, std::size_t limit) {
  const storage::Value params[] = {since, static_cast<std::int64_t>(limit)};
  auto rows = db_.query("SELECT " + std::string(kColumns) +
                            " FROM bridge_hub_jobs WHERE status = 'pending' AND created_at >= ? ORDER BY created_at LIMIT ?",
                        params);
  if (!rows) return rows.error();
  std::vector<HubJob> out;
  for (const auto& r : rows->rows) out.push_back(from_row(r));
  return out;
}

Status HubJobStore::expire_before(std::int64_t before) {
  const storage::Value params[] = {before};
  auto r = db_.query("UPDATE bridge_hub_jobs SET status = 'expired' WHERE status = 'pending' AND created_at < ?", params);
  if (!r) return r.error();
  return {};
}

Result<bool> HubJobStore::claim(const std::string& id, const std::string& hub, std::int64_t until, std::int64_t now) {
  const storage::Value params[] = {hub, until, id, hub, now};
  auto r = db_.query(
      "UPDATE bridge_hub_jobs SET status = 'pending', claimed_by = ?, claim_until = ? WHERE job_id = ? AND status <> 'done'"
      " AND (claimed_by IS NULL OR claimed_by = ? OR claim_until < ?)",
      params);
  if (!r) return r.error();
  return r->affected_rows > 0;
}

Status HubJobStore::renew(const std::vector<std::string>& ids, const std::string& hub, std::int64_t until) {
  if (ids.empty()) return {};
  std::vector<storage::Value> params{until, hub};
  std::string sql = "UPDATE bridge_hub_jobs SET claim_until = ? WHERE claimed_by = ? AND status = 'pending' AND job_id IN (";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    sql += i == 0 ? "?" : ", ?";
    params.emplace_back(ids[i]);
  }
  auto r = db_.query(sql + ")", params);
  if (!r) return r.error();
  return {};
}

Status HubJobStore::answer(const std::string& id, const JobOutcome& outcome) {
  const storage::Value params[] = {outcome_to_json(outcome), id};
  auto r = db_.query(
      "UPDATE bridge_hub_jobs SET status = 'answered', outcome = ?, claimed_by = NULL, claim_until = NULL"
      " WHERE job_id = ? AND status = 'pending'",
      params);
  if (!r) return r.error();
  return {};
}

Status HubJobStore::reopen(const std::string& id, std::int64_t now) {
  const storage::Value params[] = {now, id};
  auto r = db_.query(
      "UPDATE bridge_hub_jobs SET status = 'pending', outcome = NULL, created_at = ? WHERE job_id = ? AND status IN ('answered', 'expired')",
      params);
  if (!r) return r.error();
  return {};
}

Result<std::int64_t> HubJobStore::purge(std::int64_t before) {
  const storage::Value params[] = {before};
  auto r = db_.query("DELETE FROM bridge_hub_jobs WHERE status <> 'pending' AND created_at < ?", params);
  if (!r) return r.error();
  return r->affected_rows;
}

Result<std::vector<HubJob>> HubJobStore::claimable(std::int64_t since, std::int64_t now, std::size_t limit) {
  const storage::Value params[] = {since, now, static_cast<std::int64_t>(limit)};
  auto rows = db_.query("SELECT " + std::string(kColumns) +
                            " FROM bridge_hub_jobs WHERE status = 'pending' AND created_at >= ?"
                            " AND (claim_until IS NULL OR claim_until < ?) ORDER BY created_at LIMIT ?",
                        params);
  if (!rows) return rows.error();
  std::vector<HubJob> out;
  for (const auto& r : rows->rows) out.push_back(from_row(r));
  return out;
}

}  // namespace tzr::bridge
