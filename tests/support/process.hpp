#pragma once
// Starts the built tzrhost (or any program) as a child process for black-box tests.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace tzr::test {

class ChildProcess {
 public:
  // env entries are added to (and override) the parent's environment.
  ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env = {},
               std::string working_dir = {});
  ~ChildProcess();  // SIGTERM, then SIGKILL after 5 s
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Next stdout line, or nullopt on EOF/timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  // Everything on stdout until EOF (the process exits) or timeout.
  std::string read_all(std::chrono::milliseconds timeout);
  std::string stderr_text();  // what the child wrote to stderr so far (file-backed)

  void signal(int sig);
  // Exit code once the process ends (128+signal if killed), nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int stdout_fd_ = -1;
  std::string stderr_path_;
  std::string pending_;
  std::optional<int> exit_code_;
};

// tzrhost started with `serve` (or other args) that has printed its "listening on" lines.
// Every HTTP service listens on a free port (TZR_<SERVICE>__PORT=0 unless given), and the game
// DB and var folder default to a private temporary folder, so tests run in parallel and beside
// a running demo.
class TzrHost {
 public:
  // Waits for the "listening on" lines of `services`.
  TzrHost(std::vector<std::string> args, std::map<std::string, std::string> env,
          std::vector<std::string> services = {"gateway"}, std::string working_dir = {});
  int port(const std::string& service) const;
  bool reported(const std::string& service) const { return ports_.count(service) != 0; }
  ChildProcess& process() { return *child_; }

 private:
  std::unique_ptr<TempDir> scratch_;
  std::unique_ptr<ChildProcess> child_;
  std::map<std::string, int> ports_;
};

std::string tzrhost_bin();

}  // namespace tzr::test
