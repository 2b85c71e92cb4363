#include "host_call.h"

namespace luaskills {

bool HostCall::Claim(HostCallState from) {
  std::lock_guard<std::mutex> lock(mu);
  if (state != from) return false;
  state = HostCallState::kJsActive;
  return true;
}

void HostCall::Release(HostCallState to) {
  {
    std::lock_guard<std::mutex> lock(mu);
    state = to;
  }
  cv.notify_all();
}

}  // namespace luaskills
