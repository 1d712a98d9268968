#include "support/tls_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace tzr::test {

using namespace std::chrono_literals;

void openssl(const std::string& args) {
  const std::string cmd = "openssl " + args + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
}

// CA, then a server certificate signed by it for the given subjectAltName.
void make_server_cert(const std::filesystem::path& dir, const std::string& name, const std::string& san) {
  const auto base = (dir / name).string();
  std::ofstream(base + ".ext") << "subjectAltName=" << san
                               << "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
  openssl("req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=" + name + " -keyout " + base +
          ".key -out " + base + ".csr");
  openssl("x509 -req -days 2 -set_serial " + std::to_string(1000 + san.size()) + " -in " + base + ".csr -CA " +
          (dir / "ca.pem").string() + " -CAkey " + (dir / "ca.key").string() + " -extfile " + base + ".ext -out " +
          base + ".pem");
}

void make_test_ca(const std::filesystem::path& d) {
  openssl("req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=tzr-test-ca -keyout " +
          (d / "ca.key").string() + " -out " + (d / "ca.pem").string());
}

OpenSslServer::OpenSslServer(const std::filesystem::path& dir, const std::string& name) {
    static std::atomic<int> counter{0};
    const auto log = (dir / ("s_server-" + std::to_string(counter++) + ".log")).string();
    const auto cert = (dir / (name + ".pem")).string();
    const auto key = (dir / (name + ".key")).string();
    std::vector<std::string> args = {"timeout", "120", "openssl", "s_server", "-www", "-accept", "0",
                                     "-cert",   cert,  "-key",    key};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int rc = posix_spawnp(&pid_, "timeout", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start openssl s_server");
    // s_server prints "ACCEPT [::]:PORT" once it listens.
    const std::regex accept_line(R"(ACCEPT .*:(\d+))");
    for (int i = 0; i < 500 && port_ == 0; ++i) {
      std::ifstream in(log);
      std::stringstream text;
      text << in.rdbuf();
      std::smatch m;
      const std::string s = text.str();
      if (std::regex_search(s, m, accept_line)) {
        port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
      } else {
        std::this_thread::sleep_for(20ms);
      }
    }
    if (port_ == 0) {
      stop();
      throw std::runtime_error("openssl s_server did not start");
    }
  }

OpenSslServer::~OpenSslServer() { stop(); }

void OpenSslServer::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

}  // namespace tzr::test
