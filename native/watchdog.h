// One thread per environment that fires job deadlines: it asks the core to stop, and keeps
// asking every few milliseconds until the job ends (a signal can arrive while Lua is not running).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace luaskills {

class VmCore;

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;
  Watchdog() = default;
  ~Watchdog();  // stops and joins
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Arms a deadline for core; returns a ticket for Disarm. Starts the thread on first use.
  uint64_t Arm(VmCore* core, Clock::time_point deadline);
  // After Disarm returns, the watchdog no longer touches core.
  void Disarm(uint64_t ticket);

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<Clock::time_point, std::pair<uint64_t, VmCore*>> deadlines_;
  // When the thread wakes next on its own (max: not before an Arm), so Arm knows whether to wake it.
  Clock::time_point wake_at_ = Clock::time_point::max();
  uint64_t next_ticket_ = 1;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace luaskills
