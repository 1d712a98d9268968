// The game socket protocol codecs against the shared conformance file
// (conformance/game_protocol.json): password hashes, exact frames, reply classification.
#include "game/game_client.hpp"
#include "game/protocol.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/conformance.hpp"

#include <fstream>
#include <map>
#include <sstream>

using namespace tzr::game;

namespace {

const boost::json::array& conformance_cases() {
  const boost::json::value& doc = tzr::test::conformance("game_protocol.json");
  return doc.at("cases").as_array();
}

std::string str(const boost::json::value& v) { return std::string(v.as_string()); }

std::vector<const boost::json::object*> cases_of(std::string_view kind) {
  std::vector<const boost::json::object*> out;
  for (const auto& c : conformance_cases())
    if (c.at("kind").as_string() == kind) out.push_back(&c.as_object());
  return out;
}

bool has_non_ascii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// What a client that reads until the first NUL makes of a reply stream: the pure half of
// GameClient (the socket half is tested against real servers in game_client_test.cpp).
struct Classified {
  std::string outcome;  // "success", "failure" (parsed, not OK), or a client error code
  std::string code, msg;
};

Classified classify(const boost::json::object& c) {
  if (c.at("reply_chunks").is_null()) return {std::string(kGameUnreachable), {}, {}};
  std::string stream;
  for (const auto& chunk : c.at("reply_chunks").as_array()) stream += str(chunk);
  const auto nul = stream.find('\0');
  if (nul == std::string::npos) {
    const bool silence = str(c.at("after_chunks")).find("silence") != std::string::npos;
    return {std::string(silence ? kGameTimeout : kGameNoResponse), {}, {}};
  }
  auto reply = parse_reply(std::string_view(stream).substr(0, nul));
  if (!reply) return {reply.error().code, {}, {}};
  return {reply->ok() ? "success" : "failure", reply->code(), reply->message()};
}

}  // namespace

TEST(GameProtocolConformance, FileHasTheExpectedCases) {
  EXPECT_EQ(cases_of("password_hash").size(), 25u);
  EXPECT_EQ(cases_of("frame").size(), 18u);
  EXPECT_EQ(cases_of("reply").size(), 17u);
}

TEST(GameProtocolConformance, PasswordHashes) {
  for (const auto* c : cases_of("password_hash")) {
    SCOPED_TRACE(str(c->at("name")));
    const auto password = str(c->at("password"));
    auto hash = password_hash(password);
    if (c->contains("error")) {
      ASSERT_FALSE(hash);
      EXPECT_EQ(hash.error().code, has_non_ascii(password) ? "password_not_ascii" : "password_empty");
      EXPECT_EQ(hash.error().kind, tzr::ErrorKind::validation);
    } else {
      ASSERT_TRUE(hash) << hash.error().message;
      EXPECT_EQ(*hash, str(c->at("hash")));
    }
  }
}

TEST(GameProtocolConformance, AdduserAndNewpasFrames) {
  int adduser = 0, newpas = 0;
  for (const auto* c : cases_of("frame")) {
    SCOPED_TRACE(str(c->at("name")));
    const auto command = str(c->at("command"));
    const auto& in = c->at("inputs").as_object();
    if (command == "ADDUSER") {
      ++adduser;
      AddUser a{str(in.at("login")), str(in.at("password")), static_cast<int>(in.at("gender").as_int64())};
      auto frame = adduser_frame(a);
      if (!c->contains("target")) {
        ASSERT_TRUE(frame) << frame.error().message;
        EXPECT_EQ(*frame, str(c->at("frames").at(0)));
        continue;
      }
      // Injection attempts: refused, or escaped so that the frame carries exactly the intended
      // attributes, the login unchanged.
      if (!frame) {
        EXPECT_EQ(frame.error().code, "game_bad_attribute");
        continue;
      }
      ASSERT_EQ(frame->back(), '\0');
      EXPECT_NE(*frame, str(c->at("frames").at(0))) << "the reference's unescaped bytes";
      auto parsed = parse_reply(std::string_view(*frame).substr(0, frame->size() - 1));
      ASSERT_TRUE(parsed) << parsed.error().message;
      EXPECT_EQ(parsed->tag, "ADDUSER");
      EXPECT_EQ(parsed->attributes.size(), 4u);
      EXPECT_EQ(parsed->attributes["l"], a.login);
      EXPECT_EQ(parsed->attributes["g"], std::to_string(a.gender));
      EXPECT_EQ(parsed->attributes["m"], "test@test.ru");
    } else if (command == "NEWPAS") {
      ++newpas;
      auto frame = newpas_frame(str(in.at("login")), str(in.at("new_password")));
      ASSERT_TRUE(frame) << frame.error().message;
      EXPECT_EQ(*frame, str(c->at("frames").at(0)));
    }
    // LOGIN, GETME, SH, N and blook frames belong to the shop and battle clients.
  }
  EXPECT_EQ(adduser, 6);
  EXPECT_EQ(newpas, 2);
}

TEST(GameProtocolConformance, ReplyClassificationFollowsTheTarget) {
  for (const auto* c : cases_of("reply")) {
    const auto name = str(c->at("name"));
    SCOPED_TRACE(name);
    const auto& target = c->at("target").as_object();
    const auto got = classify(*c);
    if (target.at("success").as_bool()) {
      EXPECT_EQ(got.outcome, "success");
      continue;
    }
    EXPECT_NE(got.outcome, "success");
    if (target.contains("code")) {
      EXPECT_EQ(got.code, str(target.at("code")));
    }
    if (target.contains("msg")) {
      EXPECT_EQ(got.msg, str(target.at("msg")));
    }
    const auto detail = str(target.at("detail"));
    if (detail == "game_server_timeout") {
      EXPECT_EQ(got.outcome, kGameTimeout);
    } else if (detail == "game_server_unreachable") {
      EXPECT_EQ(got.outcome, kGameUnreachable);
    } else {
      ASSERT_EQ(detail, "game_server_error");
      EXPECT_TRUE(got.outcome == "failure" || got.outcome == kGameProtocolError || got.outcome == kGameNoResponse)
          << got.outcome;
    }
  }
  // Garbage is a protocol error, not a reply; a lower-case <ok/> parses but is no success.
  std::map<std::string, std::string> expected{
      {"garbage_with_nul", std::string(kGameProtocolError)},
      {"lowercase_ok", "failure"},
      {"empty_peer_closed", std::string(kGameNoResponse)},
  };
  for (const auto* c : cases_of("reply")) {
    auto it = expected.find(str(c->at("name")));
    if (it == expected.end()) continue;
    EXPECT_EQ(classify(*c).outcome, it->second) << it->first;
  }
}

TEST(GameProtocol, EscapesTheFiveXmlCharacters) {
  auto e = escape_attribute(R"(a&b<c>d"e'f)");
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, "a&amp;b&lt;c&gt;d&quot;e&apos;f");
  EXPECT_EQ(escape_attribute("").value(), "");
  EXPECT_EQ(escape_attribute("Игрок Про").value(), "Игрок Про");  // UTF-8 passes through
  EXPECT_EQ(escape_attribute("\xF0\x9F\x98\x80").value(), "\xF0\x9F\x98\x80");
}

TEST(GameProtocol, RefusesControlCharactersAndInvalidUtf8) {
  for (std::string bad : {std::string("a\tb"), std::string("a\nb"), std::string("a\x7F"), std::string(1, '\0'),
                          std::string("\x1F"), std::string("\xFF"), std::string("\xC0\xAF"),   // overlong '/'
                          std::string("\xED\xA0\x80"),                                         // surrogate
                          std::string("\xE2\x82"),                                             // truncated
                          std::string("\xF4\x90\x80\x80")}) {                                  // > U+10FFFF
    auto e = escape_attribute(bad);
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().code, "game_bad_attribute");
    EXPECT_EQ(e.error().kind, tzr::ErrorKind::validation);
  }
  auto frame = adduser_frame({"bad\nlogin", "mypass123", 1});
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error().code, "game_bad_attribute");
  EXPECT_FALSE(adduser_frame({"", "mypass123", 1}));
  EXPECT_FALSE(newpas_frame("x\"y\x01", "mypass123"));
  auto non_ascii = adduser_frame({"alice", "пароль123", 1});
  ASSERT_FALSE(non_ascii);
  EXPECT_EQ(non_ascii.error().code, "password_not_ascii");
}

TEST(GameProtocol, EmailIsEscapedAndConfigurable) {
  AddUser a{"alice", "mypass123", 0, "a&b@example.org"};
  EXPECT_EQ(adduser_frame(a).value(),
            std::string(R"(<ADDUSER l="alice" p="DBCC4A2812D8B09FC377B0B421D9977EA82C1333" g="0" m="a&amp;b@example.org"/>)") +
                '\0');
}

TEST(GameProtocol, ParsesRepliesIgnoringFillerAndWhitespace) {
  auto r = parse_reply("\x1F\x1F  <OK id=\"5\"/>\r\n\x1F");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->attributes.at("id"), "5");
  EXPECT_EQ(r->raw, "<OK id=\"5\"/>");

  auto err = parse_reply(R"(<ERR code="REGISTER_DENIED" msg="no &amp; never"/>)");
  ASSERT_TRUE(err);
  EXPECT_FALSE(err->ok());
  EXPECT_EQ(err->code(), "REGISTER_DENIED");
  EXPECT_EQ(err->message(), "no & never");

  auto error = parse_reply(R"(<ERROR msg="Login already exists"/>)");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->tag, "ERROR");
  EXPECT_EQ(error->code(), "");
  EXPECT_EQ(error->message(), "Login already exists");

  auto nested = parse_reply(R"(<SH c="k" s="" p="0" m="1"><O id="1"/></SH>)");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->tag, "SH");
  EXPECT_EQ(nested->attributes.at("m"), "1");
}

TEST(GameProtocol, RefusesWhatIsNotOneElement) {
  for (std::string_view bad : {"", "   \x1F ", "hello world", "\x01\x02not xml", "<OK/><ERR/>", "<OK/>tail",
                               "text<OK/>", "<OK", "<OK a=\"1\" a=\"2\"/>", "<ERR code=\"\xFF\"/>", "<OK></KO>"}) {
    auto r = parse_reply(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, kGameProtocolError);
    EXPECT_EQ(r.error().kind, tzr::ErrorKind::bad_gateway);
  }
}
