#include "app/demo_registrations.hpp"

#include "net/http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

namespace tzr::app {
namespace {

struct DemoAttempt {
  bool via_gateway;
  std::string body;
  bool wrong_key = false;
};

std::string body(const std::string& login, std::int64_t telegram_id) {
  return R"({"login":")" + login + R"(","password":"mypass123","gender":1,"telegram_id":)" + std::to_string(telegram_id) + "}";
}

}  // namespace

std::jthread start_demo_registrations(const std::vector<net::BoundService>& services, std::string api_key, std::string marker_file) {
  if (std::filesystem::exists(marker_file)) return {};
  unsigned gateway = 0, facade = 0;
  for (const auto& s : services) {
    if (s.name == "gateway") gateway = s.port;
    if (s.name == "registration") facade = s.port;
  }
  if (gateway == 0 || facade == 0) return {};
  return std::jthread([gateway, facade, key = std::move(api_key), marker = std::move(marker_file)] {
    const std::vector<DemoAttempt> attempts{
        {true, body("DemoPlayer1", 9001)}, {true, body("ДемоИгрок", 9002)}, {false, body("DemoPlayer2", 9001)},
        {true, body("demoplayer1", 9003)},  // login_taken (logins compare case-insensitively)
        {false, body("ab", 9004)},          // validation_error: too short
        {true, body("DemoPlayer3", 9005), true}};  // invalid_api_key
    boost::asio::io_context io;
    net::HttpClient client(io.get_executor());
    int answered = 0;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          for (const auto& a : attempts) {
            net::HttpClientRequest req;
            req.method = "POST";
            req.url = "http://127.0.0.1:" + std::to_string(a.via_gateway ? gateway : facade) + (a.via_gateway ? "/api/register" : "/register");
            req.body = a.body;
            req.headers.set("Content-Type", "application/json");
            if (a.via_gateway) req.headers.set("X-API-Key", a.wrong_key ? std::string("not-the-demo-key") : key);
            auto res = co_await client.request(std::move(req));
            if (res) ++answered;
          }
        },
        boost::asio::detached);
    io.run();
    if (answered == static_cast<int>(attempts.size())) std::ofstream(marker) << "done\n";
    spdlog::info("demo: {} of {} sample registrations answered (see the dashboard's Registrations page)", answered, attempts.size());
  });
}

}  // namespace tzr::app
