#include "apidocs/docs_site.hpp"

#include "apidocs/api_documents.hpp"
#include "net/http_errors.hpp"
#include "net/static_files.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <filesystem>

namespace tzr::apidocs {
namespace json = boost::json;
using net::HttpRequest;
using net::HttpResponse;
using Answer = boost::asio::awaitable<std::optional<HttpResponse>>;

namespace {
// Swagger UI sets styles through the CSSOM (allowed) and its icons are data: SVGs.
constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

HttpResponse fail(ErrorKind kind, std::string code, std::string message, const HttpRequest& req) {
  return net::error_response(Error::make(kind, std::move(code), std::move(message)), req.request_id);
}
}  // namespace

std::string render_document(const json::object& document, const DocsService& service) {
  json::object out = document;
  json::array servers;
  for (const auto& s : service.servers) servers.push_back(json::object{{"url", s.url}, {"description", s.description}});
  out["servers"] = std::move(servers);
  return json::serialize(out);
}

struct DocsSite::State {
  DocsOptions options;
  std::map<std::string, std::string, std::less<>> documents;  // name → rendered JSON
  std::string index;                                          // /docs/openapi/index.json
  std::map<std::string, net::StaticFile> files;               // the built page
  std::string missing_page;                                   // why the page is not there

  std::optional<HttpResponse> handle(const HttpRequest& req) const {
    if (req.method != "GET" && req.method != "HEAD") {
      auto res = fail(ErrorKind::method_not_allowed, "method_not_allowed", "the API reference is read-only", req);
      res.headers.set("Allow", "GET, HEAD");
      return res;
    }
    if (req.path == "/docs") {
      auto res = HttpResponse::empty(308);
      res.headers.set("Location", "/docs/");
      return res;
    }
    const std::string_view rel = std::string_view(req.path).substr(std::string_view("/docs/").size());
    if (rel == "openapi/index.json") return HttpResponse::text(200, index, "application/json");
    if (rel.starts_with("openapi/") && rel.ends_with(".json")) {
      const auto name = rel.substr(8, rel.size() - 8 - 5);
      auto it = documents.find(name);
      if (it == documents.end())
        return fail(ErrorKind::not_found, "document_not_found", "no API document for " + std::string(name), req);
      return HttpResponse::text(200, it->second, "application/json");
    }
    const std::string file = rel.empty() ? "index.html" : std::string(rel);
    if (files.empty()) return fail(ErrorKind::unavailable, "docs_not_built", missing_page, req);
    auto it = files.find(file);
    if (it == files.end()) return fail(ErrorKind::not_found, "not_found", "no such file", req);
    return HttpResponse::text(200, it->second.body, it->second.content_type);
  }
};

DocsSite::DocsSite(DocsOptions options) : state_(std::make_shared<State>()) { state_->options = std::move(options); }
DocsSite::~DocsSite() = default;

Status DocsSite::load() {
  auto& s = *state_;
  json::array listed;
  for (const auto& svc : s.options.services) {
    const auto* doc = find_api_document(svc.name);
    if (!doc) return Error::internal("no embedded API document for service " + svc.name);
    boost::system::error_code ec;
    auto parsed = json::parse(doc->json, ec);
    if (ec || !parsed.is_object()) return Error::internal("the embedded API document of " + svc.name + " is not a JSON object");
    const auto& info = parsed.as_object().at("info").as_object();
    s.documents[svc.name] = render_document(parsed.as_object(), svc);
    listed.push_back(json::object{{"name", svc.name},
                                  {"title", info.at("title")},
                                  {"url", "/docs/openapi/" + svc.name + ".json"},
                                  {"try_it_out", svc.try_it_out},
                                  {"server", svc.servers.empty() ? json::value(nullptr) : json::value(svc.servers.front().url)}});
  }
  s.index = json::serialize(json::object{{"services", std::move(listed)}});
  const std::filesystem::path root = std::filesystem::path(s.options.web_dir) / "docs";
  std::error_code ec;
  if (s.options.web_dir.empty() || !std::filesystem::is_regular_file(root / "index.html", ec)) {
    s.missing_page = "the API reference page was not built (npm run build in web/); the documents are at /docs/openapi/";
    return Error::unavailable("docs_not_built", "no index.html in " + root.string());
  }
  auto files = net::load_static_files(root);
  if (!files) return Error::unavailable("docs_not_built", files.error().message);
  s.files = std::move(*files);
  return {};
}

net::Middleware DocsSite::middleware() {
  auto state = state_;
  auto ours = [](const HttpRequest& req) { return req.path == "/docs" || req.path.starts_with("/docs/"); };
  return net::Middleware{
      [state, ours](HttpRequest& req) -> Answer {
        if (!ours(req)) co_return std::nullopt;
        co_return state->handle(req);
      },
      [ours](const HttpRequest& req, HttpResponse& res) {
        if (!ours(req)) return;
        res.headers.set("Content-Security-Policy", std::string(kCsp));
        res.headers.set("X-Content-Type-Options", "nosniff");
        res.headers.set("X-Frame-Options", "DENY");
        res.headers.set("Referrer-Policy", "no-referrer");
        // Small, unhashed names: revalidate every time (a new binary may serve new documents).
        res.headers.set("Cache-Control", "no-cache");
      }};
}

}  // namespace tzr::apidocs
