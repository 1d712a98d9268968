#include "game/sim/battle_logs.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace tzr::game::sim {
namespace fs = std::filesystem;

void add_battle_log_handler(SimState& state, fs::path folder, std::size_t max_bytes) {
  state.set_handler("POST", [folder, max_bytes](SimWorld&, SimSession& session, const GameReply& m) -> std::vector<std::string> {
    auto t = m.attributes.find("t");
    const std::string_view command = t == m.attributes.end() ? std::string_view() : std::string_view(t->second);
    constexpr std::string_view kBlook = "//blook ";
    if (command.rfind(kBlook, 0) != 0) return {R"(<ERR code="UNKNOWN_COMMAND"/>)"};
    if (!session.login) return {R"(<ERR code="NOT_LOGGED_IN"/>)"};
    const std::string_view digits = command.substr(kBlook.size());
    std::int64_t id = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec != std::errc{} || p != digits.data() + digits.size() || id <= 0) return {R"(<ERR code="BAD_REQUEST"/>)"};
    const std::string name = std::to_string(id) + ".tzb";
    for (const fs::path& candidate : {folder / std::to_string(id / 50000) / name, folder / name}) {
      std::error_code err;
      if (!fs::is_regular_file(candidate, err) || fs::file_size(candidate, err) > max_bytes) continue;
      std::ifstream in(candidate, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string text = ss.str();
      std::erase(text, '\0');  // NUL frames the message
      if (text.rfind("<BLOOK", 0) != 0) text = "<BLOOK>" + text + "</BLOOK>";
      return {std::move(text)};
    }
    return {R"(<ERR code="NO_BATTLE"/>)"};
  });
}

}  // namespace tzr::game::sim
