#include "shop/shop_protocol.hpp"

#include "game/protocol.hpp"

#include <algorithm>

namespace tzr::shop {

std::string escape_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string login_frame(std::string_view login, std::string_view key) {
  std::string f = "<LOGIN v3=\"10.20.30.40\" lang=\"ru\" v2=\"4875537\" v=\"108\" p=\"" + escape_value(key) + "\" l=\"" +
                  escape_value(login) + "\" />";
  f += '\0';
  return f;
}

std::string getme_frame() { return std::string("<GETME />") + '\0'; }
std::string keepalive_frame() { return std::string("<N />") + '\0'; }

std::string shop_frame(std::string_view category, std::string_view filter, std::int64_t page) {
  std::string f = "<SH c=\"" + escape_value(category) + "\" s=\"" + escape_value(filter) + "\" p=\"" + std::to_string(page) + "\" />";
  f += '\0';
  return f;
}

Status FrameReader::append(std::string_view bytes) {
  for (char c : bytes)
    if (c != '\x1F') buffer_ += c;
  const auto nul = buffer_.rfind('\0');
  const auto open = nul == std::string::npos ? buffer_.size() : buffer_.size() - nul - 1;
  if (open > max_)
    return Error::make(ErrorKind::bad_gateway, "shop_frame_too_large",
                       "game server sent a message over " + std::to_string(max_) + " bytes");
  return {};
}

std::optional<std::string> FrameReader::next() {
  for (;;) {
    auto nul = buffer_.find('\0');
    if (nul == std::string::npos) return std::nullopt;
    std::string msg = buffer_.substr(0, nul);
    buffer_.erase(0, nul + 1);
    if (msg.find_first_not_of(" \t\r\n") != std::string::npos) return msg;
  }
}

namespace {
std::string_view tag_of(std::string_view message) {
  auto start = message.find('<');
  if (start == std::string_view::npos) return {};
  // Skip an XML declaration.
  if (message.substr(start, 5) == "<?xml") {
    auto end = message.find("?>", start);
    if (end == std::string_view::npos) return {};
    start = message.find('<', end);
    if (start == std::string_view::npos) return {};
  }
  auto rest = message.substr(start + 1);
  auto end = rest.find_first_of(" \t\r\n/>");
  return rest.substr(0, end);
}
}  // namespace

MessageKind classify(std::string_view message) {
  const auto tag = tag_of(message);
  if (tag == "SH") return MessageKind::shop_page;
  if (tag == "ERROR" || tag == "ERR") return MessageKind::error;
  return MessageKind::other;
}

std::string error_text(std::string_view message) {
  if (auto parsed = game::parse_reply(message)) {
    std::string text;
    if (auto code = parsed->code(); !code.empty()) text = code;
    if (auto msg = parsed->message(); !msg.empty()) text += (text.empty() ? "" : ": ") + msg;
    if (!text.empty()) return text;
  }
  std::string raw(message.substr(0, 200));
  std::replace_if(raw.begin(), raw.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  return raw;
}

}  // namespace tzr::shop
