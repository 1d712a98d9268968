#pragma once
// Registration input rules (registration.md §2.1, site-bridge.md §10.1), applied by every entry
// point: only JSON integers for gender/telegram_id, Latin-or-Cyrillic logins, printable-ASCII
// passwords. Pure functions, no I/O.
#include "core/error.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tzr::registration {

// Proof of a Telegram identity sent with a registration: the Login Widget's payload (a JSON
// object: id, first_name, …, auth_date, hash) or a Mini App's initData query string.
struct TelegramProof {
  std::string kind;  // "login_widget" | "web_app"
  std::string data;  // the widget payload as JSON text, or the raw initData string
};

struct RegistrationRequest {
  std::string login;
  std::string password;
  int gender = 0;  // 0 or 1, passed to the game unchanged (0 = female, 1 = male per the original bot)
  std::int64_t telegram_id = 0;
  std::optional<std::string> username;
  std::optional<std::string> request_id;  // body key "Request-Id"
  std::optional<TelegramProof> telegram_proof;  // body key "telegram_auth" (object) or "telegram_init_data" (string)
};

// Field names that failed, with the message for each (public texts for login/password/gender).
struct ValidationFailure {
  std::vector<FieldError> fields;
};

using ValidationResult = std::variant<RegistrationRequest, ValidationFailure>;

ValidationResult validate_registration(const boost::json::object& body);

bool is_valid_login(std::string_view utf8);
bool is_valid_password(std::string_view password);

// The public facade's answer (site-bridge.md §10.1): 400 validation_error with the fixed texts of
// login/password/gender when any of those failed, else 400 bad_request "Ошибка".
Error public_validation_error(const ValidationFailure& failure);
// The orchestrator's answer (registration.md §2.1 [T]): 422 validation_error naming every field.
Error direct_validation_error(const ValidationFailure& failure);

}  // namespace tzr::registration
