// libFuzzer target for the agent's and the hub's frame handling: arbitrary text as a job frame
// (parse, canonicalise, TTL, HMAC, replay) and as a result frame. Nothing may crash, and:
//   - an accepted job that changes something is refused when the same text comes again;
//   - a job re-signed by us is accepted, and the answer we build for it verifies;
//   - the register request built from an accepted job never holds an undecryptable password.
#include "bridge/job_runner.hpp"
#include "bridge/protocol.hpp"
#include "crypto/aes_gcm.hpp"
#include "crypto/hmac.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>

using namespace tzr;
using namespace tzr::bridge;

namespace {

constexpr const char* kSecret = "fuzz_secret";
constexpr std::int64_t kNow = 1734370010;

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto key = crypto::aes_gcm::Key::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").value();
  const std::string text(reinterpret_cast<const char*>(data), size);
  const FrameRules rules{kSecret, {}, kNow};

  crypto::NonceWindow nonces;
  CheckedFrame checked = check_job_frame(text, rules, nonces);
  if (checked.verdict == CheckedFrame::Verdict::accept) {
    if (checked.job.job_type != kServerStatus)  // status reads are not remembered
      require(check_job_frame(text, rules, nonces).verdict == CheckedFrame::Verdict::reject);  // replay
    auto call = register_call(checked.job, key);
    if (auto* body = std::get_if<boost::json::object>(&call)) require(body->at("request_id") == checked.job.id.c_str());
  }
  if (checked.verdict != CheckedFrame::Verdict::ignore) {
    require(!checked.id.empty() && checked.id.size() <= kMaxJobIdChars);
    // Whatever we answer is signed so that the site can verify it.
    const std::string answer = make_result_frame(checked.id, JobOutcome{false, nullptr, checked.failure}, kSecret, kNow, "n");
    require(static_cast<bool>(crypto::verify_message_text(answer, kSecret)));
    crypto::NonceWindow hub_nonces;
    auto back = check_result_frame(answer, rules, &hub_nonces);
    require(back && back->id == checked.id);
  }
  if (checked.verdict == CheckedFrame::Verdict::accept) {
    // Re-signed by the site's key, the same job is accepted again under a fresh nonce.
    SiteJob again = checked.job;
    again.nonce = "fresh-nonce";
    crypto::NonceWindow fresh;
    require(check_job_frame(make_job_frame(again, kSecret), rules, fresh).verdict == CheckedFrame::Verdict::accept);
  }

  crypto::NonceWindow result_nonces;
  (void)check_result_frame(text, rules, &result_nonces);
  return 0;
}
