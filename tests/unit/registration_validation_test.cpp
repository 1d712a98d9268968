// Golden cases computed from the reference (shared/conformance/registration_validation.json):
// where a case has a `target`, that is the behaviour we build.
#include "core/json.hpp"
#include "registration/validation.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "support/conformance.hpp"

#include <fstream>
#include <set>
#include <sstream>

using namespace tzr;
using namespace tzr::registration;


TEST(RegistrationValidation, ConformanceCases) {
  const auto& doc = tzr::test::conformance("registration_validation.json");
  const auto& cases = doc.at("cases").as_array();
  ASSERT_GT(cases.size(), 100u);
  int checked = 0;
  for (const auto& cv : cases) {
    const auto& c = cv.as_object();
    const std::string name(c.at("name").as_string());
    const auto& ref = c.at("reference").as_object();
    bool expect_accepted = ref.at("accepted").as_bool();
    const boost::json::object* target = c.contains("target") ? &c.at("target").as_object() : nullptr;
    if (target) expect_accepted = target->at("accepted").as_bool();
    // API_Father direct: we apply the public rules there too (registration.md §2.1 [T]).
    if (c.contains("target_api_father_direct")) {
      EXPECT_EQ(c.at("target_api_father_direct").at("accepted").as_bool(), expect_accepted) << name;
    }

    auto parsed = json::parse_object(std::string(c.at("body").as_string()));
    if (!parsed) {
      EXPECT_FALSE(expect_accepted) << name;
      EXPECT_EQ(std::string(ref.at("error").as_string()), "bad_request") << name;
      ++checked;
      continue;
    }
    auto result = validate_registration(*parsed);
    auto* failure = std::get_if<ValidationFailure>(&result);
    EXPECT_EQ(failure == nullptr, expect_accepted) << name << ": " << c.at("body").as_string();
    if (failure && !target) {
      // The public envelope and its fields exactly as the reference's API_2 answers.
      Error e = public_validation_error(*failure);
      EXPECT_EQ(e.code, std::string(ref.at("error").as_string())) << name;
      std::set<std::string> got, want;
      for (const auto& f : e.fields) got.insert(f.field);
      for (const auto& f : ref.at("rejected_fields").as_array()) want.insert(std::string(f.as_string()));
      EXPECT_EQ(got, want) << name;
      if (ref.contains("api_2_http") && ref.at("api_2_http").at("body").as_object().contains("fields")) {
        for (const auto& f : e.fields) {
          EXPECT_EQ(ref.at("api_2_http").at("body").at("fields").at(f.field).as_string(), f.message) << name;
        }
      }
    }
    if (failure && target && target->contains("field")) {
      bool named = false;
      for (const auto& f : failure->fields) named = named || f.field == target->at("field").as_string();
      EXPECT_TRUE(named) << name;
    }
    if (!failure && ref.contains("forwarded_to_api_father")) {
      const auto& fwd = ref.at("forwarded_to_api_father").as_object();
      const auto& r = std::get<RegistrationRequest>(result);
      EXPECT_EQ(r.login, fwd.at("login").as_string()) << name;
      EXPECT_EQ(r.gender, fwd.at("gender").to_number<int>()) << name;
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(cases.size()));
}

TEST(RegistrationValidation, DirectErrorNamesEveryField) {
  auto body = json::parse_object(R"({"login":"a","password":"b","gender":7,"telegram_id":-1,"username":5})");
  auto failure = std::get<ValidationFailure>(validate_registration(*body));
  Error e = direct_validation_error(failure);
  EXPECT_EQ(e.kind, ErrorKind::unprocessable);
  EXPECT_EQ(e.fields.size(), 5u);
  EXPECT_EQ(public_validation_error(failure).fields.size(), 3u);
}
