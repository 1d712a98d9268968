#pragma once
// A bounded pool of driver connections shared by the SQLite readers and the PostgreSQL and MySQL
// backends. Connections are opened lazily, up to max_size; a caller that finds the pool exhausted
// waits (bounded) rather than opening more, so the server never sees more than max_size sessions.
#include "core/error.hpp"
#include "storage/backends.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace tzr::storage::detail {

template <class Conn>  // an owning handle, e.g. std::unique_ptr<PGconn, Closer>
class ConnectionPool {
 public:
  using Connect = std::function<Result<Conn>()>;

  ConnectionPool(std::size_t max_size, Connect connect,
                 std::chrono::milliseconds max_wait = std::chrono::seconds(30))
      : max_size_(max_size == 0 ? 1 : max_size), connect_(std::move(connect)), max_wait_(max_wait) {}

  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  class Lease {
   public:
    Lease(ConnectionPool* pool, Conn conn, bool reused) : pool_(pool), conn_(std::move(conn)), reused_(reused) {}
    Lease(Lease&& o) noexcept
        : pool_(std::exchange(o.pool_, nullptr)), conn_(std::move(o.conn_)), reused_(o.reused_), broken_(o.broken_) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->give_back(std::move(conn_), broken_);
    }

    auto get() const { return conn_.get(); }
    // True when the connection sat idle in the pool: the server may have dropped it meanwhile.
    bool reused() const { return reused_; }
    // The connection is broken or in an unknown state: close it instead of pooling it.
    void discard() { broken_ = true; }

   private:
    ConnectionPool* pool_;
    Conn conn_;
    bool reused_;
    bool broken_ = false;
  };

  Result<Lease> acquire() {
    std::unique_lock lock(mutex_);
    if (!available_.wait_for(lock, max_wait_, [&] { return !idle_.empty() || open_ < max_size_; })) {
      return db_failure(kUnavailable, "all database connections are busy");
    }
    if (!idle_.empty()) {
      Conn conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn), true);
    }
    ++open_;
    lock.unlock();
    // Connecting happens outside the lock: it can take seconds against a remote server.
    Result<Conn> conn = connect_();
    if (!conn) {
      lock.lock();
      --open_;
      available_.notify_one();
      return conn.error();
    }
    return Lease(this, std::move(*conn), false);
  }

 private:
  void give_back(Conn conn, bool broken) {
    {
      std::lock_guard lock(mutex_);
      if (broken) {
        --open_;
      } else {
        idle_.push_back(std::move(conn));
      }
      available_.notify_one();
    }
    // A broken connection is closed here, outside the lock, when conn goes out of scope.
  }

  const std::size_t max_size_;
  const Connect connect_;
  const std::chrono::milliseconds max_wait_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<Conn> idle_;
  std::size_t open_ = 0;
};

}  // namespace tzr::storage::detail
