#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace tzr::test {
namespace {
using Clock = std::chrono::steady_clock;

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}
}  // namespace

std::string tzrhost_bin() {
  if (const char* env = std::getenv("TZRHOST_BIN")) return env;
  return TZRHOST_BIN;
}

ChildProcess::ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env, std::string working_dir) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (auto& [k, v] : env) merged[k] = v;
  std::vector<std::string> env_strings;
  for (auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  char tmpl[] = "/tmp/tzrtest-stderr-XXXXXX";
  int err_fd = mkstemp(tmpl);
  if (err_fd < 0) throw std::runtime_error("mkstemp failed");
  stderr_path_ = tmpl;

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (!working_dir.empty()) posix_spawn_file_actions_addchdir_np(&fa, working_dir.c_str());
  int rc = posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  close(err_fd);
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error("cannot start " + argv[0]);
  }
  stdout_fd_ = out[0];
}

ChildProcess::~ChildProcess() {
  if (!exit_code_ && pid_ > 0) {
    ::kill(pid_, SIGTERM);
    if (!wait(std::chrono::seconds(5))) {
      ::kill(pid_, SIGKILL);
      wait(std::chrono::seconds(5));
    }
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
  if (!stderr_path_.empty()) unlink(stderr_path_.c_str());
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    auto nl = pending_.find('\n');
    if (nl != std::string::npos) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || stdout_fd_ < 0) return std::nullopt;
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[4096];
    auto n = ::read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) {
      close(stdout_fd_);
      stdout_fd_ = -1;
      if (pending_.empty()) return std::nullopt;
      std::string rest;
      rest.swap(pending_);
      return rest;
    }
    pending_.append(buf, static_cast<std::size_t>(n));
  }
}

std::string ChildProcess::read_all(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string all;
  while (auto line = read_line(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())))
    all += *line + "\n";
  return all;
}

std::string ChildProcess::stderr_text() {
  std::ifstream in(stderr_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ChildProcess::signal(int sig) {
  if (!exit_code_) ::kill(pid_, sig);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = decode_status(status);
      return exit_code_;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TzrHost::TzrHost(std::vector<std::string> args, std::map<std::string, std::string> env, std::vector<std::string> services,
                 std::string working_dir) {
  env.try_emplace("TZR_AGENT__HEALTH_PORT", "0");
  for (std::string s : {"gateway", "orchestrator", "registration", "status", "battles", "shop", "hub"}) {
    std::string key = "TZR_" + s + "__PORT";
    for (auto& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    env.try_emplace(key, "0");
  }
  scratch_ = std::make_unique<TempDir>();
  env.try_emplace("TZR_GAME_DB__URL", "sqlite://" + scratch_->str() + "/game.db");
  env.try_emplace("TZR_SERVER__VAR_DIR", scratch_->str() + "/var");
  std::vector<std::string> argv{tzrhost_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  child_ = std::make_unique<ChildProcess>(std::move(argv), std::move(env), std::move(working_dir));
  static const std::regex listening(R"(tzrhost: (\S+) listening on http://[^:]+:(\d+))");
  auto deadline = Clock::now() + std::chrono::seconds(30);
  auto all_reported = [&] {
    for (const auto& s : services)
      if (!ports_.count(s)) return false;
    return true;
  };
  while (!all_reported()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    auto line = child_->read_line(left);
    if (!line) {
      throw std::runtime_error("tzrhost did not report its services; stderr:\n" + child_->stderr_text());
    }
    std::smatch m;
    if (std::regex_search(*line, m, listening)) ports_[m[1]] = std::stoi(m[2]);
  }
}

int TzrHost::port(const std::string& service) const { return ports_.at(service); }

}  // namespace tzr::test
