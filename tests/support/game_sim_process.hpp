#pragma once
// `tzrhost game-sim` started as a child process on free ports, with helpers for its control API.
#include "support/process.hpp"

#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <vector>

namespace tzr::test {

class GameSimProcess {
 public:
  // Adds --port 0 --control-port 0 and waits for both "listening on" lines.
  explicit GameSimProcess(std::vector<std::string> extra_args = {});

  std::uint16_t game_port() const { return game_port_; }
  int control_port() const { return control_port_; }
  ChildProcess& process() { return *child_; }

  // POST /sim/mode with {"mode":…,"delay_ms":…,"scope":…}; throws unless 200.
  void set_mode(const std::string& mode, int delay_ms = 0, const std::string& scope = "global");
  boost::json::value received();  // GET /sim/received
  boost::json::value accounts();  // GET /sim/accounts
  void reset();                   // POST /sim/reset

 private:
  std::unique_ptr<ChildProcess> child_;
  std::uint16_t game_port_ = 0;
  int control_port_ = 0;
};

}  // namespace tzr::test
