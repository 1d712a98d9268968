#include "app/game_sim_command.hpp"

#include "app/commands.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "game/sim/battle_logs.hpp"
#include "game/sim/game_sim.hpp"
#include "game/sim/shop_control.hpp"
#include "game/sim/sim_control.hpp"
#include "net/http_server.hpp"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>

namespace tzr::app {

std::shared_ptr<net::HttpService> game_sim_control_service(game::sim::GameSim& sim, const std::string& bind, int port) {
  auto control = std::make_shared<net::HttpService>();
  control->name = "game-sim-control";
  control->bind = bind;
  control->port = static_cast<std::uint16_t>(port);
  game::sim::add_control_routes(control->router, sim.state());
  game::sim::add_shop_control_routes(control->router, sim.shops());
  return control;
}

int cmd_game_sim(const GameSimOptions& options) {
  log::init("info", log::Format::text);
  auto mode = game::sim::fault_mode_from_string(options.mode);
  if (!mode) return fail(Error::bad_request("unknown game-sim mode '" + options.mode + "'", "config_error"));

  game::sim::SimOptions sim_options;
  sim_options.bind = options.bind;
  sim_options.port = static_cast<std::uint16_t>(options.port);
  sim_options.fault = {*mode, std::chrono::milliseconds(options.delay_ms)};
  sim_options.seed = options.seed;
  sim_options.greeting = options.greeting;
  sim_options.bot_logins = options.bot_logins;
  game::sim::GameSim sim(std::move(sim_options));
  if (!options.battles_dir.empty()) game::sim::add_battle_log_handler(sim.state(), options.battles_dir);

  Metrics metrics;
  net::HttpServer server(net::ServerLimits{}, 1, metrics, net::PipelineOptions{false});
  auto control = game_sim_control_service(sim, options.bind, options.control_port);

  auto game_port = sim.start();
  if (!game_port) return fail(game_port.error());
  auto bound = server.add(control);
  if (!bound) return fail(bound.error());

  // Our own signal set, armed before the ready lines are printed: a test that signals as soon
  // as it reads them must still get a clean exit, not the default action.
  boost::asio::signal_set signals(server.context(), SIGINT, SIGTERM);
  signals.async_wait([&server](const boost::system::error_code& ec, int) {
    if (!ec) server.stop();
  });

  std::printf("tzrhost: game-sim listening on tcp://%s:%u\n", sim.address().c_str(), static_cast<unsigned>(*game_port));
  std::printf("tzrhost: game-sim-control listening on http://%s:%u\n", bound->address.c_str(),
              static_cast<unsigned>(bound->port));
  std::fflush(stdout);
  spdlog::info("game-sim: mode {}, seed {}", options.mode, options.seed);

  server.run(false);
  sim.stop();
  spdlog::info("game-sim: stopped");
  return 0;
}

}  // namespace tzr::app
