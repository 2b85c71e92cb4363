// The C++ side of one process.session: the child (own process group), a reader thread that
// drains stdout and stderr into bounded windows (newest bytes kept), stdin writes, status and
// teardown. No Lua in here; process_session.cc is the userdata around it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "encoding.h"
#include "process_spawn.h"

namespace luaskills {

class VmCore;

// The newest `limit` bytes of a stream that have not been read yet (upstream append_bounded).
class ByteWindow {
 public:
  explicit ByteWindow(size_t limit) : limit_(limit < 1 ? 1 : limit) {}
  void Append(const char* bytes, size_t len);
  size_t size() const { return data_.size() - start_; }
  const char* data() const { return data_.data() + start_; }
  // Removes and returns the oldest min(max, size()) bytes.
  std::string Take(size_t max);

 private:
  void Compact();
  size_t limit_;
  std::string data_;
  size_t start_ = 0;
};

struct SessionStatus {
  bool running = false;
  bool exited = false;
  bool has_success = false;
  bool success = false;
  bool has_code = false;
  int code = 0;
};

struct SessionOptions {
  SpawnRequest spawn;
  TextEncoding stdout_encoding = TextEncoding::kUtf8;
  TextEncoding stderr_encoding = TextEncoding::kUtf8;
  TextEncoding stdin_encoding = TextEncoding::kUtf8;
  uint64_t buffer_limit = 1024 * 1024;
};

struct SessionChunk {
  DecodedText out;
  DecodedText err;
  bool timed_out = false;
};

class SessionState {
 public:
  explicit SessionState(const SessionOptions& options);
  ~SessionState();  // Shutdown()
  SessionState(const SessionState&) = delete;
  SessionState& operator=(const SessionState&) = delete;

  // Spawns the child and starts the reader; *error is the text after "process.session.open: ".
  bool Start(std::string* error);

  TextEncoding stdin_encoding() const { return options_.stdin_encoding; }
  // Writes every byte (waiting while the pipe is full). False with *error on failure
  // ("stdin is closed", "Broken pipe (os error 32)"); *interrupted when the VM job must stop.
  bool Write(const std::string& bytes, VmCore* core, std::string* error, bool* interrupted);
  // Waits up to timeout_ms for output (or until_text, or both streams at EOF), then takes up to
  // max_bytes of each stream. False when the VM job must stop.
  bool Read(uint64_t timeout_ms, uint64_t max_bytes, const std::string* until_text, VmCore* core, SessionChunk* out);
  SessionStatus Status();
  // Closes stdin, waits up to timeout_ms for the child to end, then kills the group and joins
  // the reader. False when the VM job stopped the wait (the session is torn down anyway).
  bool Close(uint64_t timeout_ms, VmCore* core, SessionStatus* status);
  // Kills the process group, reaps the child, stops and joins the reader. Idempotent.
  SessionStatus Shutdown();

 private:
  void ReaderLoop();
  bool Readable(const std::string* until_text);  // mu_ held
  static SessionStatus FromExit(const ExitInfo& info);

  SessionOptions options_;
  ChildProcess child_;
  std::mutex mu_;
  std::condition_variable cv_;
  ByteWindow out_;
  ByteWindow err_;
  bool out_done_ = false;  // the reader saw EOF (or gave up) on the stream
  bool err_done_ = false;
  std::thread reader_;
  UniqueFd wake_read_;
  UniqueFd wake_write_;
  bool finished_ = false;  // Shutdown ran
  SessionStatus final_;
};

}  // namespace luaskills
