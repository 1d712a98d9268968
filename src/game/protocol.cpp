#include "game/protocol.hpp"

#include "core/utf8.hpp"

#include <openssl/evp.h>
#include <pugixml.hpp>

#include <array>
#include <memory>

namespace tzr::game {

namespace {

// The game's fixed salt and output order (registration.md §3.4). Not a secret of ours: it is
// what every client of this game server uses.
constexpr std::string_view kHashKey = "0123456789ABCDEF0123456789ABCDEF";
constexpr std::array<int, 40> kHashOrder = {30, 26, 24, 39, 2,  15, 1,  4,  5,  18, 27, 38, 10, 19,
                                            33, 17, 7,  36, 34, 31, 8,  14, 23, 21, 29, 3,  32, 25,
                                            37, 20, 28, 11, 22, 16, 35, 0,  6,  9,  13, 12};

Error bad_attribute(std::string message) {
  return Error::make(ErrorKind::validation, "game_bad_attribute", std::move(message));
}

Error protocol_error(std::string message) {
  return Error::make(ErrorKind::bad_gateway, "game_protocol_error", std::move(message));
}

bool is_filler(char c) { return c == '\0' || c == '\x1F'; }
bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

Result<std::string> password_hash(std::string_view password) {
  if (password.empty())
    return Error::make(ErrorKind::validation, "password_empty", "the password is empty");
  for (char c : password)
    if (static_cast<unsigned char>(c) >= 0x80)
      return Error::make(ErrorKind::validation, "password_not_ascii", "the password must be ASCII");

  std::string salted;
  salted.reserve(password.size() + kHashKey.size());
  salted += password.front();
  salted += kHashKey.substr(0, 10);
  salted += password.substr(1);
  salted += kHashKey.substr(10);
  std::erase(salted, ' ');

  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_len = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), salted.data(), salted.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest.data(), &digest_len) != 1 || digest_len != 20)
    return Error::internal("SHA-1 is not available");

  static constexpr char kHex[] = "0123456789ABCDEF";
  std::array<char, 40> hex{};
  for (unsigned int i = 0; i < digest_len; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0x0F];
  }
  std::string out;
  out.reserve(kHashOrder.size());
  for (int idx : kHashOrder) out += hex[static_cast<std::size_t>(idx)];
  return out;
}

Result<std::string> escape_attribute(std::string_view value) {
  if (!utf8::valid(value)) return bad_attribute("invalid UTF-8");
  std::string out;
  out.reserve(value.size() + value.size() / 8);
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    // A control character has no place in a login or an email, and a raw one in an attribute
    // would be normalised or rejected by the server's XML reader anyway.
    if (c < 0x20 || c == 0x7F) return bad_attribute("control character at byte " + std::to_string(i));
    switch (value[i]) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += value[i];
    }
  }
  return out;
}

Result<std::string> adduser_frame(const AddUser& a) {
  if (a.login.empty()) return bad_attribute("the login is empty");
  auto login = escape_attribute(a.login);
  if (!login) return login.error();
  auto email = escape_attribute(a.email);
  if (!email) return email.error();
  auto hash = password_hash(a.password);
  if (!hash) return hash.error();
  std::string frame;
  frame.reserve(96 + login->size() + email->size());
  frame += "<ADDUSER l=\"";
  frame += *login;
  frame += "\" p=\"";
  frame += *hash;
  frame += "\" g=\"";
  frame += std::to_string(a.gender);
  frame += "\" m=\"";
  frame += *email;
  frame += "\"/>";
  frame += '\0';
  return frame;
}

Result<std::string> newpas_frame(std::string_view login, std::string_view password) {
  if (login.empty()) return bad_attribute("the login is empty");
  auto escaped = escape_attribute(login);
  if (!escaped) return escaped.error();
  auto hash = password_hash(password);
  if (!hash) return hash.error();
  std::string frame = "<NEWPAS l=\"" + *escaped + "\" pwd2=\"" + *hash + "\"/>";
  frame += '\0';
  return frame;
}

std::string GameReply::code() const {
  auto it = attributes.find("code");
  return it == attributes.end() ? std::string() : it->second;
}

std::string GameReply::message() const {
  auto it = attributes.find("msg");
  return it == attributes.end() ? std::string() : it->second;
}

Result<GameReply> parse_reply(std::string_view text) {
  // The real server pads with 0x1F and the stream may carry stray NULs: both are noise.
  std::string cleaned;
  cleaned.reserve(text.size());
  for (char c : text)
    if (!is_filler(c)) cleaned += c;
  std::size_t begin = 0, end = cleaned.size();
  while (begin < end && is_xml_space(cleaned[begin])) ++begin;
  while (end > begin && is_xml_space(cleaned[end - 1])) --end;
  cleaned = cleaned.substr(begin, end - begin);

  if (cleaned.empty()) return protocol_error("empty reply");
  // Attribute values end up in logs and JSON bodies, which must stay valid UTF-8.
  if (!utf8::valid(cleaned)) return protocol_error("reply is not valid UTF-8");

  pugi::xml_document doc;
  // Fragment mode keeps text outside the element as nodes, so "<OK/>tail" is seen and refused
  // instead of silently dropped.
  const auto parsed = doc.load_buffer(cleaned.data(), cleaned.size(), pugi::parse_default | pugi::parse_fragment,
                                      pugi::encoding_utf8);
  if (!parsed) return protocol_error(std::string("reply is not XML: ") + parsed.description());

  pugi::xml_node root;
  for (auto node : doc.children()) {
    switch (node.type()) {
      case pugi::node_element:
        if (root) return protocol_error("reply holds more than one element");
        root = node;
        break;
      case pugi::node_pcdata:
      case pugi::node_cdata:
        return protocol_error("reply holds text outside its element");
      default:
        break;  // declarations, comments, processing instructions: harmless
    }
  }
  if (!root) return protocol_error("reply holds no element");

  GameReply reply;
  reply.raw = std::move(cleaned);
  reply.tag = root.name();
  for (auto attr : root.attributes()) {
    // A repeated attribute is not well-formed XML and makes the reply ambiguous.
    if (!reply.attributes.emplace(attr.name(), attr.value()).second)
      return protocol_error(std::string("repeated attribute ") + attr.name());
  }
  return reply;
}

}  // namespace tzr::game
