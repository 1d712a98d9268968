#include "registration/validation.hpp"

#include "core/utf8.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <limits>

namespace tzr::registration {
namespace {

constexpr std::string_view kLoginText = "Ошибка: Логин должен быть от 3 до 16 символов";
constexpr std::string_view kPasswordText = "Ошибка: Пароль должен быть от 6 до 20 символов на латинице";
constexpr std::string_view kGenderText = "Ошибка: Вы не выбрали пол персонажа";
constexpr std::size_t kMaxUsername = 64;  // tgplayers.username is VARCHAR(64)
constexpr std::size_t kMaxRequestId = 128;

bool is_latin_letter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_cyrillic_letter(char32_t c) { return (c >= 0x0410 && c <= 0x044F) || c == 0x0401 || c == 0x0451; }
bool is_common(char32_t c) { return (c >= '0' && c <= '9') || c == '_' || c == '-' || c == ' '; }

// JSON integers only (no bools, floats or numeric strings).
std::optional<std::int64_t> strict_int(const boost::json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return static_cast<std::int64_t>(v.get_uint64());
  return std::nullopt;
}

}  // namespace

bool is_valid_login(std::string_view login) {
  std::vector<char32_t> cps;
  if (!utf8::decode(login, cps) || cps.size() < 3 || cps.size() > 16) return false;
  bool latin = false, cyrillic = false;
  for (char32_t c : cps) {
    if (is_latin_letter(c)) latin = true;
    else if (is_cyrillic_letter(c)) cyrillic = true;
    else if (!is_common(c)) return false;
  }
  return latin != cyrillic;  // at least one letter, and one script only
}

bool is_valid_password(std::string_view p) {
  return p.size() >= 6 && p.size() <= 20 && std::all_of(p.begin(), p.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

ValidationResult validate_registration(const boost::json::object& body) {
  RegistrationRequest r;
  ValidationFailure f;
  auto fail = [&f](std::string_view field, std::string_view message) {
    f.fields.push_back({std::string(field), std::string(message)});
  };

  if (const auto* v = body.if_contains("login"); v && v->is_string() && is_valid_login(v->get_string()))
    r.login = std::string(v->get_string());
  else
    fail("login", kLoginText);

  if (const auto* v = body.if_contains("password"); v && v->is_string() && is_valid_password(v->get_string()))
    r.password = std::string(v->get_string());
  else
    fail("password", kPasswordText);

  if (const auto* v = body.if_contains("gender"); v && strict_int(*v) && (*strict_int(*v) == 0 || *strict_int(*v) == 1))
    r.gender = static_cast<int>(*strict_int(*v));
  else
    fail("gender", kGenderText);

  if (const auto* v = body.if_contains("telegram_id"); v && strict_int(*v) && *strict_int(*v) >= 1)
    r.telegram_id = *strict_int(*v);
  else
    fail("telegram_id", "telegram_id must be an integer from 1 to 9223372036854775807");

  if (const auto* v = body.if_contains("username"); v && !v->is_null()) {
    if (v->is_string() && utf8::length(v->get_string()) <= kMaxUsername) r.username = std::string(v->get_string());
    else fail("username", "username must be a string of at most 64 characters");
  }

  if (const auto* v = body.if_contains("Request-Id"); v && !v->is_null()) {
    if (v->is_string() && v->get_string().size() <= kMaxRequestId) {
      if (!v->get_string().empty()) r.request_id = std::string(v->get_string());
    } else {
      fail("Request-Id", "Request-Id must be a string of at most 128 characters");
    }
  }

  if (const auto* v = body.if_contains("telegram_auth"); v && !v->is_null()) {
    if (v->is_object() && boost::json::serialize(*v).size() <= 4096)
      r.telegram_proof = TelegramProof{"login_widget", boost::json::serialize(*v)};
    else
      fail("telegram_auth", "telegram_auth must be the Telegram Login Widget object");
  }
  if (const auto* v = body.if_contains("telegram_init_data"); v && !v->is_null()) {
    if (v->is_string() && !v->get_string().empty() && v->get_string().size() <= 4096)
      r.telegram_proof = TelegramProof{"web_app", std::string(v->get_string())};
    else
      fail("telegram_init_data", "telegram_init_data must be the Mini App initData string");
  }

  if (!f.fields.empty()) return f;
  return r;
}

Error public_validation_error(const ValidationFailure& failure) {
  Error e = Error::make(ErrorKind::validation, "validation_error", "Ошибка валидации входных данных");
  for (const auto& field : failure.fields)
    if (field.field == "login" || field.field == "password" || field.field == "gender") e.fields.push_back(field);
  if (e.fields.empty()) return Error::make(ErrorKind::bad_request, "bad_request", "Ошибка");
  return e;
}

Error direct_validation_error(const ValidationFailure& failure) {
  Error e = Error::make(ErrorKind::unprocessable, "validation_error", "Ошибка валидации входных данных");
  e.fields = failure.fields;
  return e;
}

}  // namespace tzr::registration
