// The tzrhost command line: exit codes, help, config commands, migrate.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace tzr::test;
using namespace std::chrono_literals;

namespace {
struct Run {
  int code;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string> args, std::map<std::string, std::string> env = {}, std::string cwd = {}) {
  std::vector<std::string> argv{tzrhost_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv, env, cwd);
  auto out = p.read_all(30s);
  auto code = p.wait(30s);
  return {code.value_or(-1), out, p.stderr_text()};
}
}  // namespace

TEST(Cli, VersionAndHelp) {
  auto v = run({"version"});
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out.rfind("tzrhost ", 0), 0u);

  auto help = run({"--help"});
  EXPECT_EQ(help.code, 0);
  for (auto cmd : {"serve", "migrate", "demo", "version", "config", "keygen", "game-sim", "bridge"}) EXPECT_NE(help.out.find(cmd), std::string::npos) << cmd;
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run({}).code, 2);
  auto bogus = run({"bogus"});
  EXPECT_EQ(bogus.code, 2);
  EXPECT_NE(bogus.err.find("usage error"), std::string::npos);
  EXPECT_EQ(run({"serve", "--no-such-flag"}).code, 2);
}

TEST(Cli, BadConfigExitsOneNamingTheKey) {
  auto r = run({"serve"}, {{"TZR_GATEWAY__PORT", "not-a-port"}});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("gateway.port"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;

  auto missing = run({"--config", "/nonexistent/tzrhost.toml", "config", "check"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/tzrhost.toml"), std::string::npos);
}

TEST(Cli, ConfigShowMasksSecretsAndReadsTheFile) {
  TempDir dir;
  std::ofstream(dir / "tzrhost.toml") << "[gateway]\nport = 8111\n";
  std::ofstream(dir / "token") << "very-secret-admin-token\n";
  auto r = run({"config", "show"}, {{"TZR_ADMIN__TOKEN_FILE", (dir / "token").string()}}, dir.str());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("port = 8111"), std::string::npos) << r.out;  // ./tzrhost.toml picked up
  EXPECT_EQ(r.out.find("very-secret-admin-token"), std::string::npos);
  EXPECT_NE(r.out.find("token = \"***\""), std::string::npos);

  auto check = run({"config", "check"}, {}, dir.str());
  EXPECT_EQ(check.code, 0);
  EXPECT_NE(check.out.find("tzrhost.toml"), std::string::npos);
}

TEST(Cli, MigrateAppliesOnceThenReportsUpToDate) {
  TempDir dir;
  std::map<std::string, std::string> env{{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/m.db"}};
  auto first = run({"migrate"}, env);
  EXPECT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find("applied migration 1"), std::string::npos) << first.out;
  auto second = run({"migrate"}, env);
  EXPECT_EQ(second.code, 0);
  EXPECT_NE(second.out.find("already up to date"), std::string::npos) << second.out;
}

TEST(Cli, PortInUseFailsWithReason) {
  TempDir dir;
  TzrHost first({"serve"}, {{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/a.db"}, {"TZR_LOG__LEVEL", "warn"}});
  auto r = run({"serve"}, {{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/b.db"},
                           {"TZR_GATEWAY__PORT", std::to_string(first.port("gateway"))},
                           {"TZR_ORCHESTRATOR__ENABLED", "false"},
                           {"TZR_REGISTRATION__ENABLED", "false"},
                           {"TZR_STATUS__ENABLED", "false"}});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("gateway: cannot bind"), std::string::npos) << r.err;
}

TEST(Cli, ServeOnlyRunsTheNamedServices) {
  TempDir dir;
  TzrHost host({"serve", "--only", "status,battles"},
               {{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/a.db"}, {"TZR_LOG__LEVEL", "warn"}}, {"status", "battles"});
  EXPECT_EQ(http(host.port("status"), "GET", "/health").status, 200);
  EXPECT_EQ(http(host.port("battles"), "GET", "/health").status, 200);
  host.process().signal(SIGTERM);
  auto rest = host.process().read_all(30s);
  for (std::string off : {"gateway", "orchestrator", "registration", "shop", "hub"}) {
    EXPECT_FALSE(host.reported(off)) << off;
    EXPECT_EQ(rest.find(off + " listening"), std::string::npos) << rest;
  }
  EXPECT_EQ(host.process().wait(30s), 0);
}

TEST(Cli, ServeOnlyRefusesAnUnknownService) {
  auto r = run({"serve", "--only", "gateway,nonsense"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown service 'nonsense'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("battles"), std::string::npos) << r.err;
}

TEST(Cli, DemoRegistersAPlayerAgainstItsSimulator) {
  TempDir dir;
  TzrHost demo({"demo", "--dir", dir.str() + "/demo", "--sim-port", "0"}, {{"TZR_LOG__LEVEL", "warn"}},
               {"gateway", "orchestrator", "registration", "status"});
  EXPECT_TRUE(std::filesystem::exists(dir / "demo" / "tzr.db"));
  auto reg = http(demo.port("registration"), "POST", "/register",
                  R"({"login":"Player1","password":"mypass123","gender":1,"telegram_id":1001})");
  EXPECT_EQ(reg.status, 200) << reg.body;
  auto status = http(demo.port("status"), "GET", "/server/status");
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(status.json().at("server_status").to_number<double>(), 1.0);
  auto ready = http(demo.port("orchestrator"), "GET", "/ready");
  EXPECT_EQ(ready.status, 200) << ready.body;
}

TEST(Cli, KeygenPrintsFreshKeys) {
  auto a = run({"keygen", "-n", "2"});
  EXPECT_EQ(a.code, 0);
  auto b = run({"keygen", "--kind", "token"});
  EXPECT_EQ(b.code, 0);
  EXPECT_EQ(std::count(a.out.begin(), a.out.end(), '\n'), 2);
  EXPECT_EQ(a.out.rfind("site1:", 0), 0u);
  EXPECT_EQ(b.out.size(), 65u);  // 64 hex digits and a newline
  EXPECT_EQ(a.out.find(b.out.substr(0, 64)), std::string::npos);
  EXPECT_EQ(run({"keygen", "--kind", "nonsense"}).code, 2);
}

namespace {
// Runs tzrhost with stdin from a file holding `input`.
Run run_with_input(std::vector<std::string> args, const std::string& input, std::map<std::string, std::string> env) {
  TempDir dir;
  auto in_path = (dir / "stdin").string();
  std::ofstream(in_path) << input;
  std::string cmd = tzrhost_bin();
  for (auto& a : args) cmd += " " + a;
  std::vector<std::string> argv{"/bin/sh", "-c", "exec " + cmd + " < " + in_path};
  ChildProcess p(argv, std::move(env));
  auto out = p.read_all(30s);
  auto code = p.wait(30s);
  return {code.value_or(-1), out, p.stderr_text()};
}
}  // namespace

TEST(Cli, BridgeSignVerifyEncryptDecryptMatchTheReferenceVectors) {
  // site-bridge.md §13 V1 and V9.
  const std::string v1 =
      R"({"type":"job","id":"11111111-2222-3333-4444-555555555555","job_type":"register","payload":{"login":"Player1","password_encrypted":"AAECAwQFBgcICQoLJMpRRqH0yIJoeQMk9dztXzNnpW/01/EvuHc=","gender":1,"telegram_id":123456789,"username":"player1_tg"},"ts":1734370000,"nonce":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","sig":"0b29303bcf7119e7f49cb56a3227feda44daf7638cd4d73686e8fdf48b2755ac"})";
  std::map<std::string, std::string> env{{"TZR_BRIDGE__HMAC_SECRET", "test_hmac_secret"},
                                         {"TZR_BRIDGE__AES_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}};
  auto sign = run_with_input({"bridge", "sign"}, v1, env);
  EXPECT_EQ(sign.code, 0) << sign.err;
  EXPECT_EQ(sign.out, "0b29303bcf7119e7f49cb56a3227feda44daf7638cd4d73686e8fdf48b2755ac\n");
  EXPECT_EQ(run_with_input({"bridge", "verify"}, v1, env).code, 0);
  auto tampered = v1;
  tampered.replace(tampered.find("Player1"), 7, "Player2");
  EXPECT_EQ(run_with_input({"bridge", "verify"}, tampered, env).code, 1);

  auto dec = run_with_input({"bridge", "decrypt"}, "AAECAwQFBgcICQoLJMpRRqH0yIJoeQMk9dztXzNnpW/01/EvuHc=\n", env);
  EXPECT_EQ(dec.code, 0) << dec.err;
  EXPECT_EQ(dec.out, "test123456\n");
  auto enc = run_with_input({"bridge", "encrypt"}, "s3cret pass\n", env);
  ASSERT_EQ(enc.code, 0) << enc.err;
  auto back = run_with_input({"bridge", "decrypt"}, enc.out, env);
  EXPECT_EQ(back.out, "s3cret pass\n");
  EXPECT_EQ(run_with_input({"bridge", "decrypt"}, "AAAA", env).code, 1);
}

TEST(Cli, BridgeVerifyAndDecryptAcceptThePreviousSecretsDuringARotation) {
  // V1 and V9 were made with what is now the previous secret and key; sign/encrypt use the new ones.
  const std::string v1 =
      R"({"type":"job","id":"11111111-2222-3333-4444-555555555555","job_type":"register","payload":{"login":"Player1","password_encrypted":"AAECAwQFBgcICQoLJMpRRqH0yIJoeQMk9dztXzNnpW/01/EvuHc=","gender":1,"telegram_id":123456789,"username":"player1_tg"},"ts":1734370000,"nonce":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","sig":"0b29303bcf7119e7f49cb56a3227feda44daf7638cd4d73686e8fdf48b2755ac"})";
  const std::string v9_blob = "AAECAwQFBgcICQoLJMpRRqH0yIJoeQMk9dztXzNnpW/01/EvuHc=\n";
  std::map<std::string, std::string> rotating{{"TZR_BRIDGE__HMAC_SECRET", "new_hmac_secret"},
                                              {"TZR_BRIDGE__HMAC_SECRET_PREVIOUS", "test_hmac_secret"},
                                              {"TZR_BRIDGE__AES_KEY", "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="},
                                              {"TZR_BRIDGE__AES_KEY_PREVIOUS", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}};
  EXPECT_EQ(run_with_input({"bridge", "verify"}, v1, rotating).code, 0);
  auto dec = run_with_input({"bridge", "decrypt"}, v9_blob, rotating);
  EXPECT_EQ(dec.code, 0) << dec.err;
  EXPECT_EQ(dec.out, "test123456\n");
  auto sign = run_with_input({"bridge", "sign"}, v1, rotating);
  EXPECT_NE(sign.out, "0b29303bcf7119e7f49cb56a3227feda44daf7638cd4d73686e8fdf48b2755ac\n") << "signing uses the current secret";
  EXPECT_EQ(sign.err.find("test_hmac_secret"), std::string::npos);

  // Neither slot: refused.
  std::map<std::string, std::string> other{{"TZR_BRIDGE__HMAC_SECRET", "new_hmac_secret"},
                                           {"TZR_BRIDGE__HMAC_SECRET_PREVIOUS", "third_hmac_secret"},
                                           {"TZR_BRIDGE__AES_KEY", "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="},
                                           {"TZR_BRIDGE__AES_KEY_PREVIOUS", "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="}};
  EXPECT_EQ(run_with_input({"bridge", "verify"}, v1, other).code, 1);
  EXPECT_EQ(run_with_input({"bridge", "decrypt"}, v9_blob, other).code, 1);
  // A previous key that is not 32 bytes is a configuration error naming the key, not the key.
  other["TZR_BRIDGE__AES_KEY_PREVIOUS"] = "dGVzdF9hZXNfMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=";
  auto bad = run_with_input({"bridge", "decrypt"}, v9_blob, other);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("bridge.aes_key_previous"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find("dGVzdF9hZXNf"), std::string::npos) << bad.err;
}
