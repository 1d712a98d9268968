#include "bridge/migrations.hpp"

namespace tzr::bridge {

std::vector<storage::Migration> migrations() {
  return {
      // The agent's final outcomes by job id, so that a restarted agent answers a re-sent job
      // with the first outcome instead of running it again. Never holds a password.
      {500, "bridge_agent_results",
       "CREATE TABLE bridge_agent_results ("
       " job_id VARCHAR(128) NOT NULL PRIMARY KEY, job_type VARCHAR(32) NOT NULL,"
       " outcome TEXT NOT NULL, created_at BIGINT NOT NULL);"
       "CREATE INDEX bridge_agent_results_created ON bridge_agent_results(created_at);",
       "", ""},
      // The hub's jobs: pending ones are pushed again after a hub restart; finished ones answer
      // a retried request with the same X-Request-Id. payload holds the encrypted password only.
      {501, "bridge_hub_jobs",
       "CREATE TABLE bridge_hub_jobs ("
       " job_id VARCHAR(128) NOT NULL PRIMARY KEY, job_type VARCHAR(32) NOT NULL,"
       " fingerprint VARCHAR(64) NOT NULL, payload TEXT NOT NULL, status VARCHAR(16) NOT NULL,"
       " outcome TEXT NULL, created_at BIGINT NOT NULL, finished_at BIGINT NULL);"
       "CREATE INDEX bridge_hub_jobs_status ON bridge_hub_jobs(status, created_at);",
       "", ""},
      // Several hubs on one database: the hub that pushes a job claims its row for a while
      // (renewed while its agent works on it), so a job created at one hub reaches an agent of
      // another and no two hubs push it at once. claim_until is in milliseconds.
      {502, "bridge_hub_job_claims",
       "ALTER TABLE bridge_hub_jobs ADD COLUMN claimed_by VARCHAR(64) NULL;"
       "ALTER TABLE bridge_hub_jobs ADD COLUMN claim_until BIGINT NULL;",
       "", ""},
      // Several agents on one database: the agent that runs a job holds its row until the
      // outcome is stored, and every accepted job nonce is recorded until its frame expires, so
      // a job or a captured frame sent to a second agent is not run again.
      {503, "bridge_agent_claims",
       "CREATE TABLE bridge_agent_claims ("
       " job_id VARCHAR(128) NOT NULL PRIMARY KEY, agent_id VARCHAR(128) NOT NULL, claim_until BIGINT NOT NULL);"
       "CREATE TABLE bridge_agent_nonces ("
       " nonce VARCHAR(128) NOT NULL PRIMARY KEY, expires_at BIGINT NOT NULL);"
       "CREATE INDEX bridge_agent_nonces_expiry ON bridge_agent_nonces(expires_at);",
       "", ""},
  };
}

}  // namespace tzr::bridge
