// Interrupting Lua without a permanent count hook. Lua 5.4 runs about twice as slow while any
// count hook is set, so on POSIX systems the hook is installed only when a job must stop: the
// thread running Lua receives SIGURG, and the handler sets the hook on the running coroutine
// (lua_sethook is safe in a signal handler; lua.c does the same for Ctrl-C). SIGURG is ignored by
// default, so a stray one is harmless; a handler someone else installed is chained to.
#pragma once

namespace luaskills {

class VmCore;

// True when signal interrupts work here (POSIX, and not disabled with
// LUASKILLS_INTERRUPT=hook). Installs the handler on first use.
bool SignalInterruptsAvailable();

// Marks the calling thread as running core's job (nullptr: none) and returns the previous one.
// The handler acts only on the thread's own core.
VmCore* SetThreadCore(VmCore* core);

// An opaque id of the calling thread, to pass to SendInterruptSignal.
unsigned long CurrentThreadId();

// Sends SIGURG to the thread; reinstalls the handler first if someone replaced it.
void SendInterruptSignal(unsigned long thread_id);

}  // namespace luaskills
