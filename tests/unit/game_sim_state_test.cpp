// The game simulator's command handling and fault modes, without sockets.
#include "game/protocol.hpp"
#include "game/sim/sim_state.hpp"

#include <gtest/gtest.h>

using namespace tzr::game;
using namespace tzr::game::sim;

namespace {

struct Sim {
  explicit Sim(FaultSetting fault = {}, std::uint64_t seed = 1) : state(seed, fault, {"Sova Moscow"}) {
    add_standard_handlers(state);
  }
  SimSession session(std::uint64_t id = 1) {
    SimSession s;
    s.id = id;
    s.fault = state.take_next_connection_fault();
    return s;
  }
  SimState state;
};

std::string adduser(std::string_view login, std::string_view password = "mypass123") {
  auto frame = adduser_frame({std::string(login), std::string(password), 1});
  return frame.value().substr(0, frame->size() - 1);
}

}  // namespace

TEST(GameSimState, AdduserGivesIncreasingIdsAndRefusesDuplicatesIgnoringCase) {
  Sim sim;
  auto s = sim.session();
  EXPECT_EQ(sim.state.receive(s, adduser("alice")).replies, std::vector<std::string>{R"(<OK id="1"/>)"});
  EXPECT_EQ(sim.state.receive(s, adduser("Игрок")).replies, std::vector<std::string>{R"(<OK id="2"/>)"});
  const std::vector<std::string> exists{R"(<ERR code="USER_EXISTS" msg="login already exists"/>)"};
  EXPECT_EQ(sim.state.receive(s, adduser("ALICE")).replies, exists);
  EXPECT_EQ(sim.state.receive(s, adduser("иГРОК")).replies, exists);

  auto accounts = sim.state.accounts();
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].login, "alice");
  EXPECT_EQ(accounts[0].password_hash, password_hash("mypass123").value());
  EXPECT_EQ(accounts[0].gender, "1");
  EXPECT_EQ(accounts[0].email, "test@test.ru");
  EXPECT_EQ(accounts[1].id, 2u);
}

TEST(GameSimState, NewpasLoginGetmeAndKeepAlive) {
  Sim sim;
  auto s = sim.session();
  sim.state.receive(s, adduser("alice"));
  auto newpas = newpas_frame("Alice", "other123").value();
  newpas.pop_back();
  EXPECT_EQ(sim.state.receive(s, newpas).replies, std::vector<std::string>{"<OK/>"});
  EXPECT_EQ(sim.state.accounts()[0].password_hash, password_hash("other123").value());
  auto unknown = newpas_frame("bob", "other123").value();
  unknown.pop_back();
  EXPECT_EQ(sim.state.receive(s, unknown).replies, std::vector<std::string>{R"(<ERR code="NO_USER"/>)"});

  EXPECT_EQ(sim.state.receive(s, "<GETME />").replies, std::vector<std::string>{R"(<ERR code="NOT_LOGGED_IN"/>)"});
  EXPECT_EQ(sim.state.receive(s, R"(<LOGIN p="X" l="nobody" />)").replies,
            std::vector<std::string>{R"(<ERR code="BAD_LOGIN"/>)"});
  EXPECT_EQ(sim.state.receive(s, R"(<LOGIN v="108" p="0123" l="Sova Moscow" />)").replies,
            std::vector<std::string>{"<OK/>"});
  EXPECT_EQ(sim.state.receive(s, "<GETME />").replies, std::vector<std::string>{R"(<MYPARAM login="Sova Moscow"/>)"});
  auto other = sim.session(2);
  EXPECT_EQ(sim.state.receive(other, R"(<LOGIN p="X" l="ALICE" />)").replies, std::vector<std::string>{"<OK/>"});

  EXPECT_TRUE(sim.state.receive(s, "<N />").replies.empty());
  EXPECT_EQ(sim.state.receive(s, "<SELL id=\"1\"/>").replies, std::vector<std::string>{R"(<ERR code="UNKNOWN_COMMAND"/>)"});
  EXPECT_EQ(sim.state.receive(s, "not xml").replies, std::vector<std::string>{R"(<ERR code="BAD_XML"/>)"});
}

TEST(GameSimState, RecordsEveryMessageWithItsConnection) {
  Sim sim;
  auto a = sim.session(1);
  auto b = sim.session(2);
  sim.state.receive(a, adduser("alice"));
  sim.state.receive(b, "<N />");
  sim.state.receive(b, "\xFF junk");
  auto rec = sim.state.received();
  ASSERT_EQ(rec.size(), 3u);
  EXPECT_EQ(rec[0].conn, 1u);
  EXPECT_EQ(rec[0].tag, "ADDUSER");
  EXPECT_EQ(rec[0].raw, adduser("alice"));
  EXPECT_EQ(rec[1].conn, 2u);
  EXPECT_EQ(rec[1].tag, "N");
  EXPECT_EQ(rec[2].tag, "");
  EXPECT_EQ(rec[2].raw, "? junk");  // kept printable and valid UTF-8 for the JSON API
}

TEST(GameSimState, ErrAndDropModesChangeNothing) {
  Sim sim({FaultMode::err, {}});
  auto s = sim.session();
  auto out = sim.state.receive(s, adduser("alice"));
  EXPECT_EQ(out.replies, std::vector<std::string>{R"(<ERR code="REGISTER_DENIED"/>)"});
  EXPECT_TRUE(sim.state.accounts().empty());

  sim.state.set_global_fault({FaultMode::drop, {}});
  out = sim.state.receive(s, adduser("alice"));
  EXPECT_TRUE(out.close);
  EXPECT_TRUE(out.replies.empty());
  EXPECT_TRUE(sim.state.accounts().empty());
  EXPECT_EQ(sim.state.received().size(), 2u);

  sim.state.set_global_fault({FaultMode::slow, std::chrono::milliseconds(5)});
  out = sim.state.receive(s, adduser("alice"));
  EXPECT_EQ(out.fault.delay.count(), 5);
  EXPECT_EQ(sim.state.accounts().size(), 1u);  // slow still acts
}

TEST(GameSimState, NextConnectionFaultAppliesOnceAndResetRestoresTheStart) {
  Sim sim;
  sim.state.set_next_connection_fault({FaultMode::err, {}});
  auto first = sim.session(1);
  auto second = sim.session(2);
  EXPECT_EQ(sim.state.receive(first, adduser("alice")).fault.mode, FaultMode::err);
  EXPECT_EQ(sim.state.receive(first, adduser("alice")).fault.mode, FaultMode::err);  // the whole connection
  EXPECT_EQ(sim.state.receive(second, adduser("alice")).fault.mode, FaultMode::ok);
  EXPECT_EQ(sim.state.accounts().size(), 1u);

  sim.state.set_global_fault({FaultMode::garbage, {}});
  sim.state.reset();
  EXPECT_TRUE(sim.state.accounts().empty());
  EXPECT_TRUE(sim.state.received().empty());
  EXPECT_EQ(sim.state.global_fault().mode, FaultMode::ok);
  auto third = sim.session(3);
  EXPECT_EQ(sim.state.receive(third, adduser("alice")).replies, std::vector<std::string>{R"(<OK id="1"/>)"});
}

TEST(GameSimState, SplitPointIsDeterministicForASeed) {
  auto cuts = [](std::uint64_t seed) {
    Sim sim({FaultMode::split, {}}, seed);
    auto s = sim.session();
    std::vector<std::size_t> out;
    for (int i = 0; i < 16; ++i) out.push_back(sim.state.receive(s, adduser("u" + std::to_string(i))).split_at);
    return out;
  };
  EXPECT_EQ(cuts(7), cuts(7));
  for (auto cut : cuts(7)) EXPECT_GE(cut, 1u);
}

TEST(GameSimState, HandlersCanBeAddedForLaterCommands) {
  Sim sim;
  sim.state.set_handler("POST", [](SimWorld&, SimSession& session, const GameReply& m) -> std::vector<std::string> {
    session.vars["blook"] = m.attributes.at("t");
    return {};
  });
  sim.state.set_handler("GETMYBATTLE", [](SimWorld&, SimSession& session, const GameReply&) -> std::vector<std::string> {
    return {"<BLOOK t=\"" + session.vars["blook"] + "\"/>"};
  });
  auto s = sim.session();
  EXPECT_TRUE(sim.state.receive(s, R"(<POST t="//blook 42" />)").replies.empty());
  EXPECT_EQ(sim.state.receive(s, "<GETMYBATTLE />").replies, std::vector<std::string>{R"(<BLOOK t="//blook 42"/>)"});
}

TEST(GameSimState, ModeNamesRoundTrip) {
  for (auto name : fault_mode_names()) {
    auto mode = fault_mode_from_string(name);
    ASSERT_TRUE(mode) << name;
    EXPECT_EQ(to_string(*mode), name);
  }
  EXPECT_FALSE(fault_mode_from_string("refuse"));
  EXPECT_EQ(fold_login("ÀBC Ёж ИГРОК"), "Àbc ёж игрок");  // Latin-1 letters are left alone
}
