#pragma once
// Data parallelism for CPU-bound batch work (scoring a player base, k-means restarts): fn(i) for
// every i in [0, n), in contiguous chunks on up to `threads` threads, the caller's included.
// Results must go to slots indexed by i, so the output does not depend on the thread count. The
// first exception thrown by fn is rethrown in the caller once every thread has finished.
#include <algorithm>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace tzr {

// The machine's cores, at least 1 and at most 8.
inline std::size_t default_threads() {
  return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
}

template <class F>
void parallel_for(std::size_t n, std::size_t threads, F&& fn) {
  threads = std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(1, n));
  std::exception_ptr failure;
  std::mutex mu;
  auto chunk = [&](std::size_t t) {
    const std::size_t begin = n * t / threads, end = n * (t + 1) / threads;
    try {
      for (std::size_t i = begin; i < end; ++i) fn(i);
    } catch (...) {
      std::lock_guard lock(mu);
      if (!failure) failure = std::current_exception();
    }
  };
  std::vector<std::jthread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(chunk, t);
  chunk(0);
  pool.clear();  // joins
  if (failure) std::rethrow_exception(failure);
}

}  // namespace tzr
