#pragma once
// Strict UTF-8 (no overlongs, surrogates or truncation) for validating outside text.
#include <string>
#include <string_view>
#include <vector>

namespace tzr::utf8 {

// Appends the code points of s to out; false if s is not valid UTF-8.
bool decode(std::string_view s, std::vector<char32_t>& out);
void append(std::string& out, char32_t code_point);
bool valid(std::string_view s);
// Code points in s, assuming it is valid UTF-8.
std::size_t length(std::string_view s);

}  // namespace tzr::utf8
