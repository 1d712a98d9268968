#include "support/game_sim_process.hpp"

#include "support/test_http.hpp"

#include <boost/json/serialize.hpp>

#include <regex>
#include <stdexcept>

namespace tzr::test {

GameSimProcess::GameSimProcess(std::vector<std::string> extra_args) {
  std::vector<std::string> argv{tzrhost_bin(), "game-sim", "--port", "0", "--control-port", "0"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  child_ = std::make_unique<ChildProcess>(std::move(argv));
  static const std::regex game(R"(^tzrhost: game-sim listening on tcp://[^:]+:(\d+)$)");
  static const std::regex control(R"(^tzrhost: game-sim-control listening on http://[^:]+:(\d+)$)");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (game_port_ == 0 || control_port_ == 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto line = child_->read_line(left);
    if (!line) throw std::runtime_error("game-sim did not report its ports; stderr:\n" + child_->stderr_text());
    std::smatch m;
    if (std::regex_match(*line, m, game)) game_port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
    if (std::regex_match(*line, m, control)) control_port_ = std::stoi(m[1]);
  }
}

void GameSimProcess::set_mode(const std::string& mode, int delay_ms, const std::string& scope) {
  boost::json::object body{{"mode", mode}, {"delay_ms", delay_ms}, {"scope", scope}};
  auto r = http(control_port_, "POST", "/sim/mode", boost::json::serialize(body),
                {{"Content-Type", "application/json"}});
  if (r.status != 200) throw std::runtime_error("POST /sim/mode: " + std::to_string(r.status) + " " + r.body);
}

boost::json::value GameSimProcess::received() { return http(control_port_, "GET", "/sim/received").json(); }

boost::json::value GameSimProcess::accounts() { return http(control_port_, "GET", "/sim/accounts").json(); }

void GameSimProcess::reset() {
  auto r = http(control_port_, "POST", "/sim/reset");
  if (r.status != 200) throw std::runtime_error("POST /sim/reset: " + std::to_string(r.status));
}

}  // namespace tzr::test
