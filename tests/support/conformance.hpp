#pragma once
// The machine-readable cases in shared/conformance/, computed from the reference's own code.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

namespace tzr::test {

// Parsed once per file and kept for the test process.
inline const boost::json::value& conformance(const std::string& file) {
  static std::map<std::string, boost::json::value> loaded;
  auto it = loaded.find(file);
  if (it != loaded.end()) return it->second;
  std::ifstream in(std::string(TZR_SHARED_DIR) + "/conformance/" + file);
  if (!in) throw std::runtime_error("cannot open conformance/" + file);
  std::stringstream ss;
  ss << in.rdbuf();
  return loaded.emplace(file, boost::json::parse(ss.str())).first->second;
}

}  // namespace tzr::test
