// GameClient against the real `tzrhost game-sim` (every fault mode) and against scripted raw
// servers (the conformance reply streams, pooled-connection edge cases); the simulator's
// control API and command line as a black box.
#include "game/game_client.hpp"
#include "support/game_sim_process.hpp"
#include "support/scripted_game_server.hpp"
#include "support/test_http.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <csignal>
#include <future>
#include <set>
#include <fstream>
#include <sstream>
#include <thread>

using namespace tzr::game;
using namespace tzr::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

GameClientOptions options_for(std::uint16_t port) {
  GameClientOptions o;
  o.port = port;
  o.connect_timeout = 1000ms;
  o.call_timeout = 3000ms;
  o.retry_backoff = 20ms;
  return o;
}

// Runs one client operation to completion on ioc (the client's executor).
template <class T>
T run_on(asio::io_context& ioc, asio::awaitable<T> op) {
  auto future = asio::co_spawn(ioc, std::move(op), asio::use_future);
  ioc.restart();
  ioc.run();
  return future.get();
}

std::string adduser(const std::string& login) { return adduser_frame({login, "mypass123", 1}).value(); }

std::string without_nul(std::string frame) {
  frame.pop_back();
  return frame;
}

std::size_t count_tag(const boost::json::value& received, std::string_view tag) {
  std::size_t n = 0;
  for (const auto& r : received.as_array())
    if (r.at("tag").as_string() == tag) ++n;
  return n;
}

}  // namespace

TEST(GameClientSim, OkReplyCreatesTheAccount) {
  GameSimProcess sim;
  asio::io_context ioc;
  GameClient client(ioc.get_executor(), options_for(sim.game_port()));
  EXPECT_TRUE(run_on(ioc, client.reachable()));
  auto r = run_on(ioc, client.call(adduser("alice")));
  ASSERT_TRUE(r) << r.error().code << ": " << r.error().message;
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->attributes.at("id"), "1");

  auto dup = run_on(ioc, client.call(adduser("ALICE")));
  ASSERT_TRUE(dup);
  EXPECT_FALSE(dup->ok());
  EXPECT_EQ(dup->code(), "USER_EXISTS");
  EXPECT_EQ(dup->message(), "login already exists");
  auto accounts = sim.accounts();
  ASSERT_EQ(accounts.as_array().size(), 1u);
  EXPECT_EQ(accounts.at(0).at("login").as_string(), "alice");
}

TEST(GameClientSim, HostNameIsResolved) {
  GameSimProcess sim;
  asio::io_context ioc;
  auto o = options_for(sim.game_port());
  o.host = "localhost";  // may resolve to ::1 first, where nothing listens: the next address is tried
  GameClient client(ioc.get_executor(), o);
  auto r = run_on(ioc, client.call(adduser("alice")));
  ASSERT_TRUE(r) << r.error().code << ": " << r.error().message;
  EXPECT_TRUE(r->ok());
}

TEST(GameClientSim, ErrModeIsAParsedFailure) {
  GameSimProcess sim({"--mode", "err"});
  asio::io_context ioc;
  GameClient client(ioc.get_executor(), options_for(sim.game_port()));
  auto r = run_on(ioc, client.call(adduser("alice")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->tag, "ERR");
  EXPECT_EQ(r->code(), "REGISTER_DENIED");
  EXPECT_TRUE(sim.accounts().as_array().empty());
}

TEST(GameClientSim, SlowReplyBeyondTheDeadlineTimesOutButTheGameActed) {
  GameSimProcess sim;
  sim.set_mode("slow", 1500);
  asio::io_context ioc;
  auto o = options_for(sim.game_port());
  o.call_timeout = 300ms;
  GameClient client(ioc.get_executor(), o);
  auto r = run_on(ioc, client.call(adduser("alice")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kGameTimeout);
  EXPECT_EQ(r.error().kind, tzr::ErrorKind::gateway_timeout);
  EXPECT_EQ(sim.accounts().as_array().size(), 1u);  // why game_timeout means "maybe"
}

TEST(GameClientSim, DropIsNoResponse) {
  GameSimProcess sim({"--mode", "drop"});
  asio::io_context ioc;
  GameClient client(ioc.get_executor(), options_for(sim.game_port()));
  auto r = run_on(ioc, client.call(adduser("alice")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kGameNoResponse);
  EXPECT_EQ(count_tag(sim.received(), "ADDUSER"), 1u) << "sent once, never retried";
}

TEST(GameClientSim, GarbageIsAProtocolError) {
  GameSimProcess sim({"--mode", "garbage"});
  asio::io_context ioc;
  GameClient client(ioc.get_executor(), options_for(sim.game_port()));
  auto r = run_on(ioc, client.call(adduser("alice")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kGameProtocolError);
}

TEST(GameClientSim, ReplyWithoutNulTimesOut) {
  GameSimProcess sim({"--mode", "no-nul"});
  asio::io_context ioc;
  auto o = options_for(sim.game_port());
  o.call_timeout = 300ms;
  GameClient client(ioc.get_executor(), o);
  auto r = run_on(ioc, client.call(adduser("alice")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kGameTimeout);
}

TEST(GameClientSim, ReplySplitAcrossWritesIsReassembled) {
  GameSimProcess sim({"--mode", "split", "--delay-ms", "40", "--seed", "3"});
  asio::io_context ioc;
  GameClient client(ioc.get_executor(), options_for(sim.game_port()));
  for (int i = 0; i < 5; ++i) {
    auto r = run_on(ioc, client.call(adduser("user" + std::to_string(i))));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->ok());
    EXPECT_EQ(r->attributes.at("id"), std::to_string(i + 1));
  }
}

TEST(GameClientSim, ClosedPortIsUnreachableAfterTheConnectAttempts) {
  asio::io_context ioc;
  auto o = options_for(closed_port());
  o.connect_attempts = 3;
  o.retry_backoff = 10ms;
  GameClient client(ioc.get_executor(), o);
  auto r = run_on(ioc, client.call(adduser("alice")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kGameUnreachable);
  EXPECT_EQ(r.error().kind, tzr::ErrorKind::bad_gateway);
  EXPECT_NE(r.error().message.find("3 connect attempts"), std::string::npos) << r.error().message;
  EXPECT_FALSE(run_on(ioc, client.reachable()));
}

TEST(GameClientSim, FiftyConcurrentCallsFromOneClient) {
  GameSimProcess sim;
  asio::io_context ioc;
  auto o = options_for(sim.game_port());
  o.call_timeout = 15s;
  GameClient client(ioc.get_executor(), o);
  std::vector<std::future<tzr::Result<GameReply>>> futures;
  for (int i = 0; i < 50; ++i)
    futures.push_back(asio::co_spawn(ioc, client.call(adduser("player" + std::to_string(i))), asio::use_future));
  std::thread second([&] { ioc.run(); });  // two threads: the pool's lock is exercised
  ioc.run();
  second.join();
  std::set<std::string> ids;
  for (auto& f : futures) {
    auto r = f.get();
    ASSERT_TRUE(r) << r.error().code << ": " << r.error().message;
    EXPECT_TRUE(r->ok());
    ids.insert(r->attributes.at("id"));
  }
  EXPECT_EQ(ids.size(), 50u);
  EXPECT_EQ(count_tag(sim.received(), "ADDUSER"), 50u);
  EXPECT_EQ(sim.accounts().as_array().size(), 50u);
}

TEST(GameClientSim, PooledConnectionIsReused) {
  GameSimProcess sim;
  asio::io_context ioc;
  GameClient client(ioc.get_executor(), options_for(sim.game_port()));
  ASSERT_TRUE(run_on(ioc, client.call(adduser("alice"))));
  ASSERT_TRUE(run_on(ioc, client.call(adduser("bob"))));
  auto received = sim.received();
  ASSERT_EQ(received.as_array().size(), 2u);
  EXPECT_EQ(received.at(0).at("conn"), received.at(1).at("conn"));

  auto o = options_for(sim.game_port());
  o.max_idle_connections = 0;
  GameClient unpooled(ioc.get_executor(), o);
  ASSERT_TRUE(run_on(ioc, unpooled.call(adduser("carol"))));
  ASSERT_TRUE(run_on(ioc, unpooled.call(adduser("dave"))));
  received = sim.received();
  EXPECT_NE(received.at(2).at("conn"), received.at(3).at("conn"));
}

TEST(GameClientSim, GreetingIsSkippedWhenExpected) {
  GameSimProcess sim({"--greeting", "<HELLO v=\"1\"/>"});
  asio::io_context ioc;
  auto o = options_for(sim.game_port());
  o.expect_greeting = true;
  GameClient client(ioc.get_executor(), o);
  auto r = run_on(ioc, client.call(adduser("alice")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->ok());

  GameClient naive(ioc.get_executor(), options_for(sim.game_port()));
  auto wrong = run_on(ioc, naive.call(adduser("bob")));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->tag, "HELLO");  // what happens when the option does not match the server
}

TEST(GameClientScripted, IdleConnectionClosedByTheServerIsReplacedBeforeSending) {
  ScriptedGameServer server([](ScriptedConnection& c) {
    if (c.read_message()) c.write(std::string("<OK/>") + '\0');
    c.close();  // a server that closes idle connections
  });
  asio::io_context ioc;
  GameClient client(ioc.get_executor(), options_for(server.port()));
  ASSERT_TRUE(run_on(ioc, client.call(adduser("alice"))));
  std::this_thread::sleep_for(200ms);  // let the FIN arrive
  auto r = run_on(ioc, client.call(adduser("bob")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.received().size(), 2u) << "each frame sent exactly once";
}

TEST(GameClientScripted, ConnectionWithUnreadBytesIsNotReused) {
  // Pushes after the reply (in the same write, or later while idle) would be read as the answer
  // to the next request; such a connection is dropped.
  ScriptedGameServer server([](ScriptedConnection& c) {
    if (!c.read_message()) return;
    if (c.index() == 1) {
      c.write(std::string("<OK/>") + '\0' + "<ERR code=\"X\"/>" + '\0');
    } else if (c.index() == 2) {
      c.write(std::string("<OK/>") + '\0');
      std::this_thread::sleep_for(50ms);
      c.write(std::string("<PUSH/>") + '\0');
    } else {
      c.write(std::string("<OK id=\"3\"/>") + '\0');
    }
    c.wait_for_close();
  });
  asio::io_context ioc;
  GameClient client(ioc.get_executor(), options_for(server.port()));
  for (int i = 1; i <= 3; ++i) {
    auto r = run_on(ioc, client.call(adduser("user" + std::to_string(i))));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->ok()) << r->raw;
    std::this_thread::sleep_for(150ms);
  }
  EXPECT_EQ(server.connections(), 3);
}

TEST(GameClientScripted, OversizedReplyIsAProtocolError) {
  ScriptedGameServer server([](ScriptedConnection& c) {
    if (c.read_message()) c.write(std::string(2000, 'x'));
    c.wait_for_close();
  });
  asio::io_context ioc;
  auto o = options_for(server.port());
  o.max_reply_bytes = 1024;
  GameClient client(ioc.get_executor(), o);
  auto r = run_on(ioc, client.call(adduser("alice")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kGameProtocolError);
}

// Every reply stream of conformance/game_protocol.json played by a raw server.
TEST(GameClientScripted, ConformanceReplyCases) {
  std::ifstream in(TZR_SHARED_DIR "/conformance/game_protocol.json");
  ASSERT_TRUE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  const auto doc = boost::json::parse(ss.str());
  int played = 0;
  for (const auto& value : doc.at("cases").as_array()) {
    const auto& c = value.as_object();
    if (c.at("kind").as_string() != "reply") continue;
    const std::string name(c.at("name").as_string());
    SCOPED_TRACE(name);
    const auto& target = c.at("target").as_object();
    tzr::Result<GameReply> r = tzr::Error{};
    int connections = 0;
    if (c.at("reply_chunks").is_null()) {  // connection refused
      asio::io_context ioc;
      auto o = options_for(closed_port());
      o.retry_backoff = 10ms;
      GameClient client(ioc.get_executor(), o);
      r = run_on(ioc, client.call(adduser("alice")));
    } else {
      std::vector<std::string> chunks;
      for (const auto& chunk : c.at("reply_chunks").as_array()) chunks.emplace_back(chunk.as_string());
      const bool closes = std::string_view(c.at("after_chunks").as_string()).find("closes") != std::string_view::npos;
      std::string frame(c.at("request").at("frame").as_string());
      ScriptedGameServer server([&](ScriptedConnection& conn) {
        auto got = conn.read_message();
        if (!got) return;
        EXPECT_EQ(*got + '\0', frame);
        for (const auto& chunk : chunks) {
          conn.write(chunk);
          std::this_thread::sleep_for(30ms);
        }
        if (closes) return;
        conn.wait_for_close();
      });
      asio::io_context ioc;
      auto o = options_for(server.port());
      o.call_timeout = 500ms;
      GameClient client(ioc.get_executor(), o);
      r = run_on(ioc, client.call(frame));
      connections = server.connections();
      EXPECT_EQ(connections, 1) << "a sent frame is never retried";
    }
    ++played;
    if (target.at("success").as_bool()) {
      ASSERT_TRUE(r) << r.error().code;
      EXPECT_TRUE(r->ok());
      continue;
    }
    const bool parsed_failure = r && !r->ok();
    EXPECT_FALSE(r && r->ok());
    if (target.contains("code")) {
      ASSERT_TRUE(parsed_failure);
      EXPECT_EQ(r->code(), target.at("code").as_string());
    }
    if (target.contains("msg")) {
      ASSERT_TRUE(parsed_failure);
      EXPECT_EQ(r->message(), target.at("msg").as_string());
    }
    const std::string detail(target.at("detail").as_string());
    if (detail == "game_server_timeout") {
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, kGameTimeout);
    } else if (detail == "game_server_unreachable") {
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, kGameUnreachable);
    } else if (!parsed_failure) {
      EXPECT_TRUE(r.error().code == kGameProtocolError || r.error().code == kGameNoResponse) << r.error().code;
    }
  }
  EXPECT_EQ(played, 17);
}

TEST(GameSimControl, ModeForTheNextConnectionReceivedAndReset) {
  GameSimProcess sim;
  EXPECT_EQ(http(sim.control_port(), "GET", "/health").status, 200);
  sim.set_mode("drop", 0, "next_connection");
  auto mode = http(sim.control_port(), "GET", "/sim/mode").json();
  EXPECT_EQ(mode.at("mode").as_string(), "ok");
  EXPECT_EQ(mode.at("next_connection").at("mode").as_string(), "drop");

  asio::io_context ioc;
  GameClient client(ioc.get_executor(), options_for(sim.game_port()));
  auto dropped = run_on(ioc, client.call(adduser("alice")));
  ASSERT_FALSE(dropped);
  EXPECT_EQ(dropped.error().code, kGameNoResponse);
  auto ok = run_on(ioc, client.call(adduser("alice")));  // a new connection, back to normal
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->attributes.at("id"), "1");  // the dropped one created nothing
  EXPECT_TRUE(http(sim.control_port(), "GET", "/sim/mode").json().at("next_connection").is_null());

  auto received = sim.received().as_array();
  ASSERT_EQ(received.size(), 2u);
  for (const auto& r : received) {
    EXPECT_EQ(r.at("tag").as_string(), "ADDUSER");
    EXPECT_EQ(r.at("raw").as_string(), without_nul(adduser("alice")));
  }
  EXPECT_NE(received[0].at("conn"), received[1].at("conn"));

  auto bad = http(sim.control_port(), "POST", "/sim/mode", R"({"mode":"refuse"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json().at("error").as_string(), "bad_mode");
  EXPECT_EQ(http(sim.control_port(), "POST", "/sim/mode", R"({"mode":"err","scope":"elsewhere"})").status, 400);
  EXPECT_EQ(http(sim.control_port(), "POST", "/sim/mode", R"({"mode":"slow","delay_ms":-1})").status, 400);
  EXPECT_EQ(http(sim.control_port(), "POST", "/sim/mode", "{").status, 400);

  sim.set_mode("err");
  sim.reset();
  EXPECT_TRUE(sim.received().as_array().empty());
  EXPECT_TRUE(sim.accounts().as_array().empty());
  EXPECT_EQ(http(sim.control_port(), "GET", "/sim/mode").json().at("mode").as_string(), "ok");
}

TEST(GameSimCli, StopsCleanlyOnSignals) {
  for (int sig : {SIGTERM, SIGINT}) {
    GameSimProcess sim;
    sim.process().signal(sig);
    EXPECT_EQ(sim.process().wait(10s), 0) << sim.process().stderr_text();
  }
}

TEST(GameSimCli, UsageAndRuntimeErrors) {
  ChildProcess bad_mode({tzrhost_bin(), "game-sim", "--mode", "refuse"});
  EXPECT_EQ(bad_mode.wait(10s), 2);

  GameSimProcess first;
  ChildProcess taken({tzrhost_bin(), "game-sim", "--port", std::to_string(first.game_port()), "--control-port", "0"});
  EXPECT_EQ(taken.wait(10s), 1);
  const auto err = taken.stderr_text();
  EXPECT_NE(err.find("tzrhost: error: game-sim: cannot listen"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

// The server's shutdown order: the io_context goes before the client, so the pooled
// connections must be released first (the ASan build catches a socket outliving its context).
TEST(GameClientSim, CloseIdleReleasesPooledConnectionsBeforeTheContextGoes) {
  GameSimProcess sim;
  auto ioc = std::make_unique<asio::io_context>();
  GameClient client(ioc->get_executor(), options_for(sim.game_port()));
  auto first = run_on(*ioc, client.call(adduser("alice")));
  ASSERT_TRUE(first) << first.error().message;
  client.close_idle();
  // A call after close_idle connects afresh.
  auto second = run_on(*ioc, client.call(adduser("bob")));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->ok());
  client.close_idle();
  ioc.reset();
}
