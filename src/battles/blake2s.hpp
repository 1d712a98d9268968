#pragma once
// BLAKE2s (RFC 7693) with a chosen digest length, unkeyed. The map id of a battle is BLAKE2s with
// an 8-byte digest (battles.md §2.3.9); OpenSSL 3.0 only offers the 32-byte variant, whose
// output differs (the digest length is part of the parameter block).
#include <cstddef>
#include <string>
#include <string_view>

namespace tzr::battles {

std::string blake2s_hex_upper(std::string_view data, std::size_t digest_bytes);

}  // namespace tzr::battles
