#pragma once
// Pages through one category of one shop (shop.md §1.8–§1.9, fixed): page 0, 1, … until a page
// brings nothing new (the server repeats its last page past the end, or answers another page
// number, or an empty page); then every group row of the category is opened with its filter and
// paged the same way. Groups are collected once (the reference duplicated them). A failure
// after the retries marks the category failed (nothing read) or partial (some pages read), so
// that a snapshot never mistakes an unread page for sold goods.
#include "core/error.hpp"
#include "shop/shop_item.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tzr::shop {

struct PageRequest {
  std::string category;
  std::string filter;  // "" or "name:<name>,type:<type>"
  std::int64_t page = 0;
};

// Where pages come from: the bot's game connection, or a fake in tests.
class PageSource {
 public:
  virtual ~PageSource() = default;
  virtual boost::asio::awaitable<Result<ShopPage>> fetch(PageRequest request) = 0;
};

struct CrawlOptions {
  int page_attempts = 5;                        // tries per page (P§1.7 PAGE_RETRY_ATTEMPTS)
  std::chrono::milliseconds retry_delay{2000};  // between tries of one page
  std::chrono::milliseconds page_delay{0};      // pacing between successful requests
  std::int64_t max_pages = 500;                 // per listing (category or group): a runaway bound
  std::size_t max_items = 200'000;              // per category
};

enum class CategoryStatus { ok, partial, failed };
std::string_view to_string(CategoryStatus s);

struct CategoryCrawl {
  std::string category;
  CategoryStatus status = CategoryStatus::ok;
  int pages = 0;     // pages read successfully
  int requests = 0;  // requests sent, retries included
  int groups = 0;    // group rows opened
  std::vector<ShopItem> items;  // distinct ids, in crawl order
  std::string error;            // why the category is not ok
  std::string error_code;       // the last fetch error's code
  std::chrono::milliseconds duration{0};
};

// Error codes that make further requests pointless (the bot cannot log in): the crawl of a
// snapshot stops at the first of these.
bool is_fatal_fetch_error(std::string_view code);

boost::asio::awaitable<CategoryCrawl> crawl_category(PageSource& source, std::string category, CrawlOptions options);

}  // namespace tzr::shop
