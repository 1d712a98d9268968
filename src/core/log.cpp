#include "core/log.hpp"

#include <fmt/chrono.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <memory>

namespace tzr::log {
namespace {

thread_local std::string_view current_request_id;

// "%*" in patterns: " [rid]" in text lines.
class RequestIdText final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    if (current_request_id.empty()) return;
    dest.append(std::string_view(" [rid="));
    dest.append(current_request_id);
    dest.push_back(']');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<RequestIdText>(); }
};

// One JSON object per line; the message and request id are escaped by Boost.JSON.
class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto secs = std::chrono::time_point_cast<std::chrono::milliseconds>(msg.time);
    auto ms = secs.time_since_epoch().count();
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    fmt::format_to(std::back_inserter(dest), R"({{"ts":"{:%Y-%m-%dT%H:%M:%S}.{:03}Z","level":"{}","msg":{})", tm,
                   ms % 1000, spdlog::level::to_string_view(msg.level),
                   boost::json::serialize(boost::json::string(std::string_view(msg.payload.data(), msg.payload.size()))));
    if (!current_request_id.empty())
      fmt::format_to(std::back_inserter(dest), R"(,"request_id":{})",
                     boost::json::serialize(boost::json::string(current_request_id)));
    dest.append(std::string_view("}\n"));
  }
  std::unique_ptr<formatter> clone() const override { return std::make_unique<JsonLineFormatter>(); }
};

}  // namespace

Format format_from_string(std::string_view s) { return s == "json" ? Format::json : Format::text; }

void init(std::string_view level, Format format) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("tzrhost", sink);
  if (format == Format::json) {
    logger->set_formatter(std::make_unique<JsonLineFormatter>());
  } else {
    auto f = std::make_unique<spdlog::pattern_formatter>();
    f->add_flag<RequestIdText>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$%* %v");
    logger->set_formatter(std::move(f));
  }
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

RequestLogScope::RequestLogScope(std::string_view request_id) : previous_(current_request_id) {
  current_request_id = request_id;
}
RequestLogScope::~RequestLogScope() { current_request_id = previous_; }

}  // namespace tzr::log
