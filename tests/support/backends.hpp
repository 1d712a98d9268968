#pragma once
// Real database servers for tests: URLs come from the environment that scripts/test-servers
// writes. Without them a test skips — except under CI, where a missing server is a failure.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace tzr::test {

inline bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

// Returns the URL in env_name, or nullopt after skipping/failing the current test.
#define TZR_REQUIRE_SERVER_URL(var, env_name)                                                         \
  std::string var;                                                                                    \
  do {                                                                                                \
    const char* v_ = std::getenv(env_name);                                                           \
    if (!v_ || !*v_) {                                                                                \
      if (::tzr::test::in_ci()) FAIL() << env_name << " is not set: CI must run scripts/test-servers"; \
      GTEST_SKIP() << env_name << " not set (run: scripts/test-servers start DIR; source DIR/env)";    \
    }                                                                                                 \
    var = v_;                                                                                         \
  } while (0)

}  // namespace tzr::test
