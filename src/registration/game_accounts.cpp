#include "registration/game_accounts.hpp"

namespace tzr::registration {

boost::asio::awaitable<Result<game::GameReply>> SocketGameAccounts::add_user(game::AddUser account) {
  auto frame = game::adduser_frame(account);
  if (!frame) co_return frame.error();
  Result<game::GameReply> reply = co_await client_.call(std::move(*frame));
  co_return reply;
}

}  // namespace tzr::registration
