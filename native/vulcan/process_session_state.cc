// See process_session_state.h. Threads: the Lua thread calls every public method; the reader
// thread owns the child's stdout/stderr fds and shares only the windows (under mu_).
#include "process_session_state.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <system_error>

#include "../vm_core.h"

namespace luaskills {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kSliceMs = 10;

// One read of a ready pipe: appends what came, resets the fd at EOF or on an error.
void ReadOnce(UniqueFd* fd, std::string* sink) {
  char buf[65536];
  const ssize_t n = read(fd->get(), buf, sizeof buf);
  if (n > 0) {
    sink->append(buf, static_cast<size_t>(n));
  } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
    fd->Reset();
  }
}

bool Contains(const DecodedText& text, const std::string& needle) {
  return text.text.find(needle) != std::string::npos;
}

}  // namespace

void ByteWindow::Append(const char* bytes, size_t len) {
  if (len >= limit_) {
    data_.assign(bytes + (len - limit_), limit_);
    start_ = 0;
    return;
  }
  data_.append(bytes, len);
  if (size() > limit_) start_ = data_.size() - limit_;
  Compact();
}

std::string ByteWindow::Take(size_t max) {
  const size_t n = std::min(max, size());
  std::string out(data(), n);
  start_ += n;
  Compact();
  return out;
}

void ByteWindow::Compact() {
  if (start_ == data_.size()) {
    data_.clear();
    start_ = 0;
  } else if (start_ > 64 * 1024 && start_ > data_.size() / 2) {
    data_.erase(0, start_);
    start_ = 0;
  }
}

SessionState::SessionState(const SessionOptions& options)
    : options_(options), out_(static_cast<size_t>(options.buffer_limit)), err_(static_cast<size_t>(options.buffer_limit)) {}

SessionState::~SessionState() { Shutdown(); }

bool SessionState::Start(std::string* error) {
  int wake[2];
  if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    *error = OsErrorText(errno);
    return false;
  }
  wake_read_.Reset(wake[0]);
  wake_write_.Reset(wake[1]);
  SpawnRequest request = options_.spawn;
  request.pipe_stdin = true;
  if (!child_.Spawn(request, error)) return false;
  // The reader takes no signal: they belong to the threads that expect them.
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  bool started = true;
  try {
    reader_ = std::thread(&SessionState::ReaderLoop, this);
  } catch (const std::system_error& e) {
    *error = std::string("failed to start the output reader: ") + e.what();
    started = false;
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (!started) {
    Shutdown();
    return false;
  }
  return true;
}

void SessionState::ReaderLoop() {
  std::string out_chunk;
  std::string err_chunk;
  bool stopping = false;
  for (;;) {
    struct pollfd fds[3];
    int out_at = -1, err_at = -1;
    nfds_t n = 0;
    if (child_.stdout_fd().valid()) {
      out_at = static_cast<int>(n);
      fds[n++] = {child_.stdout_fd().get(), POLLIN, 0};
    }
    if (child_.stderr_fd().valid()) {
      err_at = static_cast<int>(n);
      fds[n++] = {child_.stderr_fd().get(), POLLIN, 0};
    }
    if (n == 0) break;
    const int wake_at = static_cast<int>(n);
    fds[n++] = {wake_read_.get(), POLLIN, 0};
    // After a stop request: take what the pipes hold right now, then leave.
    const int ready = poll(fds, n, stopping ? 0 : -1);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) {
      if (stopping) break;
      continue;
    }
    if (fds[wake_at].revents != 0) stopping = true;
    out_chunk.clear();
    err_chunk.clear();
    if (out_at >= 0 && fds[out_at].revents != 0) ReadOnce(&child_.stdout_fd(), &out_chunk);
    if (err_at >= 0 && fds[err_at].revents != 0) ReadOnce(&child_.stderr_fd(), &err_chunk);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!out_chunk.empty()) out_.Append(out_chunk.data(), out_chunk.size());
      if (!err_chunk.empty()) err_.Append(err_chunk.data(), err_chunk.size());
      out_done_ = !child_.stdout_fd().valid();
      err_done_ = !child_.stderr_fd().valid();
    }
    cv_.notify_all();
  }
  child_.stdout_fd().Reset();
  child_.stderr_fd().Reset();
  {
    std::lock_guard<std::mutex> lock(mu_);
    out_done_ = true;
    err_done_ = true;
  }
  cv_.notify_all();
}

bool SessionState::Write(const std::string& bytes, VmCore* core, std::string* error, bool* interrupted) {
  *interrupted = false;
  UniqueFd& fd = child_.stdin_fd();
  if (!fd.valid() || finished_) {
    *error = "stdin is closed";
    return false;
  }
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = WriteNoSigpipe(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n > 0) {
      written += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      *error = OsErrorText(errno);
      return false;
    }
    if (core != nullptr && core->ShouldStop()) {
      *interrupted = true;
      return false;
    }
    struct pollfd pfd = {fd.get(), POLLOUT, 0};
    poll(&pfd, 1, kSliceMs);
  }
  return true;
}

bool SessionState::Readable(const std::string* until_text) {
  if (out_.size() == 0 && err_.size() == 0) return false;
  if (until_text == nullptr) return true;
  return Contains(DecodeText(out_.data(), out_.size(), options_.stdout_encoding), *until_text) ||
         Contains(DecodeText(err_.data(), err_.size(), options_.stderr_encoding), *until_text);
}

bool SessionState::Read(uint64_t timeout_ms, uint64_t max_bytes, const std::string* until_text, VmCore* core,
                        SessionChunk* chunk) {
  const Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(std::min<uint64_t>(timeout_ms, 1000ull * 1000 * 1000 * 1000));
  bool timed_out = false;
  std::string out_bytes;
  std::string err_bytes;
  {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (Readable(until_text) || (out_done_ && err_done_)) break;
      const Clock::time_point now = Clock::now();
      if (now >= deadline) {
        timed_out = true;
        break;
      }
      if (core != nullptr && core->ShouldStop()) return false;
      cv_.wait_for(lock, std::min<Clock::duration>(std::chrono::milliseconds(kSliceMs), deadline - now));
    }
    const size_t max = static_cast<size_t>(std::min<uint64_t>(max_bytes, SIZE_MAX));
    out_bytes = out_.Take(max);
    err_bytes = err_.Take(max);
  }
  chunk->out = DecodeText(out_bytes.data(), out_bytes.size(), options_.stdout_encoding);
  chunk->err = DecodeText(err_bytes.data(), err_bytes.size(), options_.stderr_encoding);
  chunk->timed_out = timed_out;
  return true;
}

SessionStatus SessionState::FromExit(const ExitInfo& info) {
  SessionStatus s;
  s.running = !info.exited;
  s.exited = info.exited;
  if (info.exited) {
    s.has_success = true;
    s.success = info.has_code && info.code == 0;
    s.has_code = info.has_code;
    s.code = info.code;
  }
  return s;
}

SessionStatus SessionState::Status() {
  if (finished_) return final_;
  return FromExit(child_.Peek());
}

bool SessionState::Close(uint64_t timeout_ms, VmCore* core, SessionStatus* status) {
  child_.stdin_fd().Reset();
  const Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(std::min<uint64_t>(timeout_ms, 1000ull * 1000 * 1000 * 1000));
  bool interrupted = false;
  while (!finished_ && !child_.Peek().exited && Clock::now() < deadline) {
    if (core != nullptr && core->ShouldStop()) {
      interrupted = true;
      break;
    }
    const int exit_fd = child_.exit_fd();
    if (exit_fd >= 0) {
      struct pollfd pfd = {exit_fd, POLLIN, 0};
      poll(&pfd, 1, kSliceMs);
    } else {
      usleep(kSliceMs * 1000);
    }
  }
  *status = Shutdown();
  return !interrupted;
}

SessionStatus SessionState::Shutdown() {
  if (finished_) return final_;
  child_.stdin_fd().Reset();
  if (child_.pid() > 0) {
    // Upstream kills the tree even after a clean exit: whatever the child left running goes.
    child_.KillGroup();
    final_ = FromExit(child_.Reap());
  } else {
    final_ = SessionStatus();
    final_.exited = true;
  }
  if (reader_.joinable()) {
    const char byte = 1;
    (void)!write(wake_write_.get(), &byte, 1);
    reader_.join();
  }
  finished_ = true;
  return final_;
}

}  // namespace luaskills
