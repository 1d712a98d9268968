#include "shop/crawler.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unordered_set>

namespace tzr::shop {

namespace asio = boost::asio;

std::string_view to_string(CategoryStatus s) {
  switch (s) {
    case CategoryStatus::ok: return "ok";
    case CategoryStatus::partial: return "partial";
    case CategoryStatus::failed: return "failed";
  }
  return "failed";
}

bool is_fatal_fetch_error(std::string_view code) {
  return code == "shop_login_refused" || code == "shop_breaker_open" || code == "shop_no_bot_key" || code == "shop_stopped" ||
         code == "shop_bot_elsewhere";
}

namespace {

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  if (d.count() <= 0) co_return;
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer t(ex, d);
  auto r = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  (void)r;
}

struct Listing {
  PageSource& source;
  const CrawlOptions& options;
  CategoryCrawl& out;
  std::unordered_set<std::int64_t>& seen;

  // One page with retries; an error when every attempt failed.
  asio::awaitable<Result<ShopPage>> fetch(PageRequest request) {
    Error last = Error::internal("no attempt");
    for (int attempt = 0; attempt < std::max(1, options.page_attempts); ++attempt) {
      if (attempt > 0) co_await sleep_for(options.retry_delay);
      ++out.requests;
      auto page = co_await source.fetch(request);
      if (page) co_return page;
      last = page.error();
      if (is_fatal_fetch_error(last.code)) break;
    }
    co_return last;
  }

  // Pages one listing; false when it ended on a failure. Group rows go to groups when asked.
  asio::awaitable<bool> run(std::string filter, std::vector<ShopGroup>* groups) {
    std::unordered_set<std::int64_t> listing_seen;
    for (std::int64_t p = 0; p < options.max_pages; ++p) {
      if (p > 0 || !filter.empty()) co_await sleep_for(options.page_delay);
      PageRequest request{out.category, filter, p};  // named: GCC 12 double-destroys temporaries in co_await
      auto page = co_await fetch(request);
      if (!page) {
        out.error = "page " + std::to_string(p) + (filter.empty() ? "" : " of " + filter) + ": " + page.error().message;
        out.error_code = page.error().code;
        co_return false;
      }
      ++out.pages;
      // A reply for another page number: the server clamped p, so the listing is over.
      if (page->page != p) co_return true;
      if (groups && page->page == p)
        for (auto& g : page->groups) {
          bool known = false;
          for (const auto& have : *groups) known = known || (have.name == g.name && have.type == g.type);
          if (!known) groups->push_back(std::move(g));
        }
      if (page->items.empty()) {
        if (p == 0 && page->has_groups) continue;  // a page of only groups: look at the next one
        co_return true;
      }
      bool any_new = false;
      for (auto& item : page->items) {
        if (!listing_seen.insert(item.id).second) continue;
        any_new = true;
        if (!seen.insert(item.id).second) continue;  // already listed elsewhere in the category
        if (out.items.size() >= options.max_items) {
          out.error = "more than " + std::to_string(options.max_items) + " items";
          out.error_code = "shop_too_many_items";
          co_return false;
        }
        out.items.push_back(std::move(item));
      }
      if (!any_new) co_return true;  // the repeated last page
    }
    out.error = "more than " + std::to_string(options.max_pages) + " pages";
    out.error_code = "shop_too_many_pages";
    co_return false;
  }
};

}  // namespace

asio::awaitable<CategoryCrawl> crawl_category(PageSource& source, std::string category, CrawlOptions options) {
  const auto started = std::chrono::steady_clock::now();
  CategoryCrawl out;
  out.category = std::move(category);
  std::unordered_set<std::int64_t> seen;
  Listing listing{source, options, out, seen};
  std::vector<ShopGroup> groups;
  bool ok = co_await listing.run("", &groups);
  if (ok) {
    for (const auto& g : groups) {
      ++out.groups;
      ok = co_await listing.run(g.filter(), nullptr);
      if (!ok) break;
    }
  }
  if (!ok) out.status = out.pages == 0 ? CategoryStatus::failed : CategoryStatus::partial;
  out.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  co_return out;
}

}  // namespace tzr::shop
