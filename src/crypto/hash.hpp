#pragma once
#include <string>
#include <string_view>

namespace tzr::crypto {

std::string sha256_hex(std::string_view data);  // lower-case hex
std::string sha1_hex_upper(std::string_view data);
// Constant-time equality for secrets (tokens, signatures).
bool constant_time_equal(std::string_view a, std::string_view b);
// n random bytes from the OS CSPRNG, as lower-case hex (2n characters).
std::string random_hex(std::size_t n);
// n random bytes from the OS CSPRNG.
std::string random_bytes(std::size_t n);

}  // namespace tzr::crypto
