#pragma once
// Verified Telegram identity (registration.md §8.3): the Login Widget's payload and a Mini App's
// initData are both signed by Telegram with a key derived from the bot token, so a site can prove
// which Telegram user is registering instead of asserting a telegram_id. Pure functions: the
// clock is passed in (`now`, Unix seconds).
//
// Both return the verified Telegram user id, or the error telegram_auth_invalid (forbidden)
// whose message says what was wrong (never the token, never the expected hash).
#include "core/error.hpp"

#include <cstdint>
#include <string_view>

namespace tzr::telegram {

struct IdentityPolicy {
  std::int64_t max_age_s = 86400;  // auth_date older than this is refused (a replayed payload)
  std::int64_t max_future_s = 60;  // clock skew tolerated for an auth_date ahead of now
};

// Login Widget payload as a JSON object (id, first_name, last_name, username, photo_url,
// auth_date, hash). Signed over every field but hash, as sorted key=value lines, with
// HMAC-SHA256 keyed by SHA-256(bot token).
Result<std::int64_t> verify_login_widget(std::string_view payload_json, std::string_view bot_token, std::int64_t now,
                                         const IdentityPolicy& policy = {});

// Mini App initData (a URL query string: query_id, user=<JSON>, auth_date, hash, …). Signed like
// the widget over the URL-decoded pairs, keyed by HMAC-SHA256(key "WebAppData", bot token);
// the id is the `id` of the `user` JSON.
Result<std::int64_t> verify_web_app(std::string_view init_data, std::string_view bot_token, std::int64_t now,
                                    const IdentityPolicy& policy = {});

// Application/x-www-form-urlencoded decoding ('+' is a space); false on a bad %XX escape.
bool form_decode(std::string_view in, std::string& out);

}  // namespace tzr::telegram
