#pragma once
// Keys under rotation (bridge.*_previous): whatever is made — a signature, a blob, a token —
// uses `current`; a check accepts `current` or, while a rotation is under way, `previous`. An
// empty previous secret never verifies anything (it would make every signature forgeable).
#include <concepts>
#include <optional>
#include <string>
#include <utility>

namespace tzr::crypto {

// Which key of a ring passed a check (callers count the previous one: the rotation is finished
// once nothing needs it).
enum class KeySlot { current, previous };

template <class Key>
struct KeyRing {
  Key current;
  std::optional<Key> previous;  // nullopt: no rotation under way

  KeyRing() = default;
  // Implicit on purpose: a single key is a ring without a previous one.
  template <class K>
    requires std::constructible_from<Key, K&&>
  KeyRing(K&& key) : current(std::forward<K>(key)) {}  // NOLINT(google-explicit-constructor)
  KeyRing(Key current_key, std::optional<Key> previous_key)
      : current(std::move(current_key)), previous(std::move(previous_key)) {}
};

// HMAC and JWT secrets: text used as bytes.
using SecretRing = KeyRing<std::string>;

}  // namespace tzr::crypto
