// One process.exec run, Lua-free: spawn, feed stdin while draining stdout/stderr (one poll loop,
// so no pipe can fill up and deadlock), honour the spec's timeout and the VM job's deadline or
// cancellation, decode, and describe the outcome with upstream's fields and messages.
#pragma once

#include <cstdint>
#include <string>

#include "encoding.h"
#include "process_spawn.h"

namespace luaskills {

class VmCore;

struct ExecPlan {
  SpawnRequest spawn;
  bool has_stdin = false;
  std::string stdin_text;  // UTF-8, encoded with stdin_encoding before the spawn
  bool has_timeout = false;
  uint64_t timeout_ms = 0;
  TextEncoding stdout_encoding = TextEncoding::kUtf8;
  TextEncoding stderr_encoding = TextEncoding::kUtf8;
  TextEncoding stdin_encoding = TextEncoding::kUtf8;
  std::string spawn_error;  // set when the plan already failed (a shell that is not there)
};

// The Lua result table's fields.
struct ExecOutcome {
  bool success = false;
  bool has_code = false;
  int code = 0;
  DecodedText out;
  DecodedText err;
  bool timed_out = false;
  bool has_error = false;
  std::string error;
};

// Runs the plan. Returns false when the VM job must stop (deadline or cancellation): the
// process group is killed and reaped by then, and *outcome is meaningless.
bool RunExec(const ExecPlan& plan, VmCore* core, ExecOutcome* outcome);

// Reads what a non-blocking pipe holds into *sink; resets fd at EOF or on a read error.
void DrainPipe(UniqueFd* fd, std::string* sink);

}  // namespace luaskills
