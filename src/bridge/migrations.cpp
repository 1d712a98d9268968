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
  };
}

}  // namespace tzr::bridge
