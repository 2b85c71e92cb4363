// See process_run.h. Upstream polls try_wait every 10 ms and kills only the direct child on
// timeout; here the child leads its own process group and the whole group is killed, so a
// grandchild holding the pipes open cannot keep the call (or the machine) busy.
#include "process_run.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "../vm_core.h"

namespace luaskills {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kSliceMs = 10;            // how often the VM's deadline and cancellation are checked
constexpr int kDrainAfterKillMs = 200;  // what is left in the pipes after a kill, at most this long
constexpr size_t kWriteChunk = 64 * 1024;

enum class PumpEnd { kFinished, kTimedOut, kInterrupted };

// Feeds `input` to the child's stdin and collects stdout/stderr until the child has ended and
// both pipes are at EOF, the timeout passes, or the VM job must stop.
PumpEnd Pump(ChildProcess* child, const std::string& input, const ExecPlan& plan, VmCore* core, std::string* out,
             std::string* err) {
  size_t written = 0;
  if (input.empty()) child->stdin_fd().Reset();  // EOF right away
  const Clock::time_point start = Clock::now();
  const uint64_t limit_ms = std::min<uint64_t>(plan.timeout_ms, 1000ull * 1000 * 1000 * 1000);
  const Clock::time_point deadline = start + std::chrono::milliseconds(limit_ms);
  bool exited = false;
  for (;;) {
    if (!exited) exited = child->Peek().exited;
    if (exited && !child->stdout_fd().valid() && !child->stderr_fd().valid()) return PumpEnd::kFinished;
    if (core != nullptr && core->ShouldStop()) {
      child->KillGroup();
      return PumpEnd::kInterrupted;
    }
    int wait_ms = kSliceMs;
    if (plan.has_timeout) {
      const Clock::time_point now = Clock::now();
      if (now >= deadline) {
        child->KillGroup();
        // What the group wrote before it died; a process that left the group may hold the
        // pipes open forever, so this is bounded.
        const Clock::time_point drain_end = Clock::now() + std::chrono::milliseconds(kDrainAfterKillMs);
        while ((child->stdout_fd().valid() || child->stderr_fd().valid()) && Clock::now() < drain_end) {
          struct pollfd fds[2];
          nfds_t n = 0;
          if (child->stdout_fd().valid()) fds[n++] = {child->stdout_fd().get(), POLLIN, 0};
          if (child->stderr_fd().valid()) fds[n++] = {child->stderr_fd().get(), POLLIN, 0};
          if (poll(fds, n, kSliceMs) < 0 && errno != EINTR) break;
          DrainPipe(&child->stdout_fd(), out);
          DrainPipe(&child->stderr_fd(), err);
        }
        return PumpEnd::kTimedOut;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
      if (left < wait_ms) wait_ms = static_cast<int>(left);
    }

    struct pollfd fds[4];
    int out_at = -1, err_at = -1, in_at = -1;
    nfds_t n = 0;
    if (child->stdout_fd().valid()) {
      out_at = static_cast<int>(n);
      fds[n++] = {child->stdout_fd().get(), POLLIN, 0};
    }
    if (child->stderr_fd().valid()) {
      err_at = static_cast<int>(n);
      fds[n++] = {child->stderr_fd().get(), POLLIN, 0};
    }
    if (child->stdin_fd().valid()) {
      in_at = static_cast<int>(n);
      fds[n++] = {child->stdin_fd().get(), POLLOUT, 0};
    }
    if (!exited && child->exit_fd() >= 0) fds[n++] = {child->exit_fd(), POLLIN, 0};
    const int ready = poll(fds, n, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;  // e.g. the interrupt signal: checked at the top
      child->KillGroup();
      return PumpEnd::kFinished;
    }
    if (ready == 0) continue;
    if (out_at >= 0 && fds[out_at].revents != 0) DrainPipe(&child->stdout_fd(), out);
    if (err_at >= 0 && fds[err_at].revents != 0) DrainPipe(&child->stderr_fd(), err);
    if (in_at >= 0 && fds[in_at].revents != 0) {
      const size_t chunk = std::min(kWriteChunk, input.size() - written);
      const ssize_t w = WriteNoSigpipe(child->stdin_fd().get(), input.data() + written, chunk);
      if (w > 0) written += static_cast<size_t>(w);
      // A child that stops reading (EPIPE) just does not get the rest, as upstream.
      if (written == input.size() || (w < 0 && errno != EAGAIN && errno != EINTR)) child->stdin_fd().Reset();
    }
  }
}

void FailOutcome(const std::string& text, const ExecPlan& plan, ExecOutcome* outcome) {
  *outcome = ExecOutcome();
  outcome->out.encoding = TextEncodingLabel(plan.stdout_encoding);
  outcome->err.encoding = TextEncodingLabel(plan.stderr_encoding);
  outcome->err.text = text;
  outcome->has_error = true;
  outcome->error = text;
}

}  // namespace

void DrainPipe(UniqueFd* fd, std::string* sink) {
  char buf[65536];
  while (fd->valid()) {
    const ssize_t n = read(fd->get(), buf, sizeof buf);
    if (n > 0) {
      sink->append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    fd->Reset();  // EOF or a read error
  }
}

bool RunExec(const ExecPlan& plan, VmCore* core, ExecOutcome* outcome) {
  std::string input;
  if (plan.has_stdin) {
    std::string why;
    if (!EncodeText(plan.stdin_text.data(), plan.stdin_text.size(), plan.stdin_encoding, &input, &why)) {
      FailOutcome("failed to encode process stdin: " + why, plan, outcome);
      return true;
    }
  }
  if (!plan.spawn_error.empty()) {
    FailOutcome(plan.spawn_error, plan, outcome);
    return true;
  }
  ChildProcess child;
  std::string spawn_error;
  SpawnRequest request = plan.spawn;
  request.pipe_stdin = plan.has_stdin;
  if (!child.Spawn(request, &spawn_error)) {
    FailOutcome("failed to spawn process: " + spawn_error, plan, outcome);
    return true;
  }
  std::string out_bytes;
  std::string err_bytes;
  const PumpEnd end = Pump(&child, input, plan, core, &out_bytes, &err_bytes);
  const ExitInfo info = child.Reap();
  if (end == PumpEnd::kInterrupted) return false;

  *outcome = ExecOutcome();
  outcome->out = DecodeText(out_bytes.data(), out_bytes.size(), plan.stdout_encoding);
  outcome->err = DecodeText(err_bytes.data(), err_bytes.size(), plan.stderr_encoding);
  outcome->timed_out = end == PumpEnd::kTimedOut;
  outcome->has_code = info.has_code;
  outcome->code = info.code;
  outcome->success = !outcome->timed_out && info.has_code && info.code == 0;
  if (outcome->timed_out) {
    const std::string text = "process execution timed out after " + std::to_string(plan.timeout_ms) + " ms";
    if (!outcome->err.text.empty()) outcome->err.text += '\n';
    outcome->err.text += text;
    outcome->has_error = true;
    outcome->error = text;
  } else if (!outcome->success) {
    outcome->has_error = true;
    outcome->error = info.has_code ? "process exited with code " + std::to_string(info.code)
                                   : std::string("process terminated without an exit code");
  }
  return true;
}

}  // namespace luaskills
