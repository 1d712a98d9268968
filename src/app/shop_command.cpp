#include "app/shop_command.hpp"

#include "app/features.hpp"
#include "app/runtime.hpp"
#include "core/log.hpp"
#include "shop/shop_service.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <thread>

namespace tzr::app {

int cmd_shop_snapshot(const GlobalOptions& global, const std::string& shop_code) {
  auto config = load_config(global);
  if (!config) return fail(config.error());
  log::init(config->string("log.level"), log::format_from_string(config->string("log.format")));
  auto rt = open_runtime(std::move(*config));
  if (!rt) return fail(rt.error());
  auto options = shop_service_options((*rt)->config);
  if (!options) return fail(options.error());
  options->snapshot_on_start = false;
  options->interval = std::chrono::seconds(0);

  boost::asio::io_context ioc;
  auto work = boost::asio::make_work_guard(ioc);
  shop::SqlShopStore store(*(*rt)->db);
  auto service = std::make_unique<shop::ShopService>(ioc.get_executor(), store, *(*rt)->blocking, std::move(*options));
  if (auto st = service->init(); !st) return fail(st.error());
  if (!service->has_shop(shop_code)) return fail(Error::bad_request("unknown shop '" + shop_code + "' (see shop.shops)"));
  service->start();
  std::thread io([&ioc] { ioc.run(); });
  auto finish = [&] {
    service->stop();
    work.reset();
    ioc.stop();
    io.join();
    (*rt)->blocking->stop();
    service.reset();
  };
  auto job_id = service->trigger(shop_code, "cli");
  if (!job_id) {
    finish();
    return fail(job_id.error());
  }
  std::printf("%s: snapshot %s queued\n", shop_code.c_str(), job_id->c_str());
  std::size_t shown = 0;
  std::optional<shop::JobInfo> job;
  for (;;) {
    job = service->job(*job_id);
    if (job && job->categories_done != shown) {
      shown = job->categories_done;
      std::printf("%s: %zu/%zu categories\n", shop_code.c_str(), shown, job->categories_total);
      std::fflush(stdout);
    }
    if (!job || job->state == "done" || job->state == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  finish();
  if (!job || !job->snapshot) return fail(Error::internal(job ? job->error : "job lost"));
  const auto& s = *job->snapshot;
  std::printf("%s: snapshot #%lld %s — %zu items, %zu changes%s\n", shop_code.c_str(), static_cast<long long>(s.id),
              s.status.c_str(), s.items, s.changes,
              s.previous_id ? (" since #" + std::to_string(*s.previous_id)).c_str() : "");
  if (s.status != "ok") return fail(Error::make(ErrorKind::bad_gateway, "snapshot_" + s.status, "snapshot " + s.status + ": " + job->error));
  return 0;
}

}  // namespace tzr::app
