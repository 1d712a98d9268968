#pragma once
// TLS peers for tests: a throwaway CA and server certificates made with the openssl CLI at test
// time, and `openssl s_server -www` on an ephemeral port.
#include <cstdint>
#include <filesystem>
#include <string>
#include <sys/types.h>

namespace tzr::test {

void openssl(const std::string& args);  // throws when the command fails
// ca.pem/ca.key in dir (once), then <name>.pem/.key signed by it for the subjectAltName.
void make_test_ca(const std::filesystem::path& dir);
void make_server_cert(const std::filesystem::path& dir, const std::string& name, const std::string& san);

// `openssl s_server -www` with <name>.pem/.key from dir, under `timeout` so that it cannot
// outlive a crashed test run; stopped (SIGTERM, reaped) by the destructor.
class OpenSslServer {
 public:
  OpenSslServer(const std::filesystem::path& dir, const std::string& name);
  ~OpenSslServer();
  OpenSslServer(const OpenSslServer&) = delete;
  OpenSslServer& operator=(const OpenSslServer&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  void stop();
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace tzr::test
