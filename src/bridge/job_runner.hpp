#pragma once
// Executes an authenticated job against the local services over HTTP (site-bridge.md §7): the
// registration facade for `register`, the orchestrator's constants for `get_server_status`, its
// password reset for `reset_password`. The normalisation of each response is a pure function.
#include "bridge/previous_key.hpp"
#include "bridge/protocol.hpp"
#include "crypto/aes_gcm.hpp"
#include "net/http_client.hpp"

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <variant>

namespace tzr::bridge {

struct LocalServices {
  std::string register_url = "http://127.0.0.1:8082/register";
  std::string status_url = "http://127.0.0.1:9000/internal/constants";
  std::string reset_url = "http://127.0.0.1:9000/internal/password/reset";
  std::string bearer_token;  // for the orchestrator's /internal/* routes; never logged
  std::chrono::milliseconds timeout{8000};  // REQUEST_TIMEOUT: shorter than the site's wait
};

// The password key, and the previous one during a rotation.
using AesKeys = crypto::KeyRing<crypto::aes_gcm::Key>;

class JobRunner {
 public:
  // previous_use (may be null) counts the blobs only the previous key opened.
  JobRunner(net::HttpClient& http, LocalServices local, AesKeys keys, PreviousKeyUse* previous_use = nullptr)
      : http_(http), local_(std::move(local)), keys_(std::move(keys)), previous_use_(previous_use) {}

  boost::asio::awaitable<JobOutcome> run(SiteJob job);

 private:
  boost::asio::awaitable<JobOutcome> run_register(SiteJob job);
  boost::asio::awaitable<JobOutcome> run_reset(SiteJob job);
  boost::asio::awaitable<JobOutcome> run_status();
  boost::asio::awaitable<Result<net::HttpResponse>> post(std::string url, std::string job_id, boost::json::object body,
                                                         bool bearer);
  std::int64_t next_revision(std::int64_t now);

  net::HttpClient& http_;
  LocalServices local_;
  AesKeys keys_;
  PreviousKeyUse* previous_use_;
  std::atomic<std::int64_t> last_revision_{0};
};

// The local request a password job makes (§7.1 register: login, password, gender, telegram_id,
// username, request_id = job id, plus a Telegram proof when present; reset_password: telegram_id,
// password, optional login and proof), or why it cannot be made (a missing field, a blob that
// decrypts with neither key of the ring). `used`, when given, is set to the key that opened the blob.
std::variant<boost::json::object, JobFailure> register_call(const SiteJob& job, const AesKeys& keys,
                                                            crypto::KeySlot* used = nullptr);
std::variant<boost::json::object, JobFailure> reset_call(const SiteJob& job, const AesKeys& keys, crypto::KeySlot* used = nullptr);

// §7.1: 200 → {"ok":true,"user_id":…,"error":null}; otherwise the reference's text — the API_2
// message with " (field: msg, …)" for validation_error/bad_request, else "HTTP <status>" — and
// the service's own code in `code`.
JobOutcome register_outcome(const net::HttpResponse& response);
// reset_password: 200 → {"ok":true,"logins":[…]}; failures as register_outcome.
JobOutcome reset_outcome(const net::HttpResponse& response);
// §7.2: normalised {server_status, rates, generated_at, revision}.
JobOutcome status_outcome(const net::HttpResponse& response, std::int64_t revision, std::string generated_at);
// A local call that did not produce a response: "Timeout after 8.0s" / "Connection error: …",
// prefixed "Local API error: " for status jobs (the reference's texts).
JobOutcome local_call_failure(const Error& error, std::chrono::milliseconds timeout, bool status_job);

// Python's datetime.isoformat() of a UTC time: 2024-12-16T17:26:41.123456+00:00, the fraction
// left out when the microseconds are 0.
std::string python_isoformat_utc(std::chrono::system_clock::time_point t);

}  // namespace tzr::bridge
