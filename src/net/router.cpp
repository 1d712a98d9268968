#include "net/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace tzr::net {

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> children;
  std::unique_ptr<Node> param_child;
  std::string param_name;
  std::map<std::string, const Route*, std::less<>> methods;
};

namespace {
// Splits "/a/b/" into {"a","b",""}; the root "/" into {}.
template <class F>
void for_each_segment(std::string_view path, F&& f) {
  if (path.empty() || path == "/") return;
  path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    if (!f(path.substr(0, slash))) return;
    if (slash == std::string_view::npos) return;
    path.remove_prefix(slash + 1);
  }
}
}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::add(std::string method, std::string pattern, Handler handler) {
  if (pattern.empty() || pattern.front() != '/') throw std::invalid_argument("route must start with '/': " + pattern);
  Node* node = root_.get();
  for_each_segment(pattern, [&](std::string_view seg) {
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      std::string name(seg.substr(1, seg.size() - 2));
      if (!node->param_child) {
        node->param_child = std::make_unique<Node>();
        node->param_child->param_name = name;
      } else if (node->param_child->param_name != name) {
        throw std::invalid_argument("conflicting parameter names in route " + pattern);
      }
      node = node->param_child.get();
    } else {
      auto& child = node->children[std::string(seg)];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    }
    return true;
  });
  if (node->methods.count(method)) throw std::invalid_argument("duplicate route " + method + " " + pattern);
  routes_.push_back(std::make_unique<Route>(Route{method, std::move(pattern), std::move(handler)}));
  node->methods.emplace(std::move(method), routes_.back().get());
}

const Router::Node* Router::find(std::string_view path, std::vector<std::pair<std::string, std::string>>* params) const {
  const Node* node = root_.get();
  for_each_segment(path, [&](std::string_view seg) {
    if (auto it = node->children.find(seg); it != node->children.end()) {
      node = it->second.get();
    } else if (node->param_child && !seg.empty()) {
      node = node->param_child.get();
      if (params) params->emplace_back(node->param_name, std::string(seg));
    } else {
      node = nullptr;
    }
    return node != nullptr;
  });
  return node;
}

DispatchResult Router::dispatch(std::string_view method, std::string_view path) const {
  std::vector<std::pair<std::string, std::string>> params;
  const Node* node = find(path, &params);
  if (!node || node->methods.empty()) return NoRoute{};
  auto it = node->methods.find(method);
  if (it == node->methods.end() && method == "HEAD") it = node->methods.find(std::string_view("GET"));
  if (it != node->methods.end()) return RouteMatch{it->second, std::move(params)};
  return MethodNotAllowed{allowed_methods(path)};
}

std::vector<std::string> Router::allowed_methods(std::string_view path) const {
  const Node* node = find(path, nullptr);
  std::vector<std::string> out;
  if (!node || node->methods.empty()) return out;
  for (const auto& [m, r] : node->methods) out.push_back(m);
  if (node->methods.count("GET") && !node->methods.count("HEAD")) out.emplace_back("HEAD");
  out.emplace_back("OPTIONS");
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace tzr::net
