#include "apidocs/api_documents.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <cctype>

namespace tzr::apidocs {
namespace json = boost::json;

namespace {
constexpr std::string_view kMethods[] = {"get", "put", "post", "delete", "patch"};

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The {names} of a path template, in order.
std::vector<std::string> template_params(std::string_view path) {
  std::vector<std::string> out;
  for (auto open = path.find('{'); open != std::string_view::npos; open = path.find('{', open + 1)) {
    const auto close = path.find('}', open);
    if (close == std::string_view::npos) break;
    out.emplace_back(path.substr(open + 1, close - open - 1));
  }
  return out;
}

// A parameter object, following one local $ref (#/components/parameters/Name).
const json::object* resolve_parameter(const json::object& document, const json::value& p) {
  if (!p.is_object()) return nullptr;
  const auto* ref = p.as_object().if_contains("$ref");
  if (!ref) return &p.as_object();
  if (!ref->is_string()) return nullptr;
  const std::string_view prefix = "#/components/parameters/";
  const std::string_view target = ref->as_string();
  if (!target.starts_with(prefix)) return nullptr;
  const auto* components = document.if_contains("components");
  const auto* params = components && components->is_object() ? components->as_object().if_contains("parameters") : nullptr;
  const auto* found = params && params->is_object() ? params->as_object().if_contains(target.substr(prefix.size())) : nullptr;
  return found && found->is_object() ? &found->as_object() : nullptr;
}

bool declares_path_param(const json::object& document, const json::value* params, const std::string& name) {
  if (!params || !params->is_array()) return false;
  return std::any_of(params->as_array().begin(), params->as_array().end(), [&](const json::value& p) {
    const auto* o = resolve_parameter(document, p);
    const auto* in = o ? o->if_contains("in") : nullptr;
    const auto* n = o ? o->if_contains("name") : nullptr;
    return in && *in == "path" && n && n->is_string() && n->as_string() == name;
  });
}
}  // namespace

const ApiDocument* find_api_document(std::string_view service) {
  for (const auto& d : api_documents())
    if (d.service == service) return &d;
  return nullptr;
}

std::set<Operation> registered_operations(const net::HttpService& service) {
  std::set<Operation> out;
  for (const auto& r : service.router.routes()) out.emplace(r->method, r->pattern);
  for (const auto& ws : service.websockets) out.emplace("GET", ws.path);
  return out;
}

std::set<Operation> documented_operations(const json::object& document) {
  std::set<Operation> out;
  const auto* paths = document.if_contains("paths");
  if (!paths || !paths->is_object()) return out;
  for (const auto& [path, item] : paths->as_object()) {
    if (!item.is_object()) continue;
    for (auto m : kMethods)
      if (item.as_object().contains(m)) out.emplace(upper(m), std::string(path));
  }
  return out;
}

std::vector<std::string> contract_differences(const std::set<Operation>& registered, const std::set<Operation>& documented) {
  std::vector<std::string> out;
  for (const auto& op : registered)
    if (!documented.count(op)) out.push_back(op.first + " " + op.second + ": routed but not documented");
  for (const auto& op : documented)
    if (!registered.count(op)) out.push_back(op.first + " " + op.second + ": documented but not routed");
  return out;
}

std::vector<std::string> document_problems(const json::object& document) {
  std::vector<std::string> out;
  const auto* version = document.if_contains("openapi");
  if (!version || !version->is_string() || !version->as_string().starts_with("3."))
    out.emplace_back("openapi: must be a 3.x version string");
  const auto* info = document.if_contains("info");
  if (!info || !info->is_object()) {
    out.emplace_back("info: required object");
  } else {
    for (const char* key : {"title", "version"}) {
      const auto* v = info->as_object().if_contains(key);
      if (!v || !v->is_string() || v->as_string().empty()) out.push_back(std::string("info.") + key + ": required string");
    }
  }
  const auto* paths = document.if_contains("paths");
  if (!paths || !paths->is_object()) {
    out.emplace_back("paths: required object");
    return out;
  }
  std::set<std::string> operation_ids;
  for (const auto& [path, item] : paths->as_object()) {
    const std::string where(path);
    if (!where.starts_with("/")) out.push_back(where + ": a path must start with '/'");
    if (!item.is_object()) {
      out.push_back(where + ": a path item must be an object");
      continue;
    }
    const auto& pi = item.as_object();
    for (auto m : kMethods) {
      const auto* op = pi.if_contains(m);
      if (!op) continue;
      const std::string at = upper(m) + " " + where;
      if (!op->is_object()) {
        out.push_back(at + ": an operation must be an object");
        continue;
      }
      const auto& o = op->as_object();
      const auto* responses = o.if_contains("responses");
      if (!responses || !responses->is_object() || responses->as_object().empty()) out.push_back(at + ": responses required");
      const auto* id = o.if_contains("operationId");
      if (!id || !id->is_string()) out.push_back(at + ": operationId required");
      else if (!operation_ids.insert(std::string(id->as_string())).second) out.push_back(at + ": operationId " + std::string(id->as_string()) + " repeated");
      for (const auto& name : template_params(where))
        if (!declares_path_param(document, pi.if_contains("parameters"), name) && !declares_path_param(document, o.if_contains("parameters"), name))
          out.push_back(at + ": path parameter {" + name + "} not declared");
    }
  }
  return out;
}

}  // namespace tzr::apidocs
