// The README's example: a Lua VM with a host function, sync and async runs, limits and errors.
import { LuaError, LuaVm } from 'luaskills';

const vm = new LuaVm({ memoryLimitBytes: 32 * 1024 * 1024 });

// JS functions Lua can call; promises are awaited when Lua runs with exec()/call().
vm.registerHostFunction('host.greet', (name) => `hello, ${name}`);
vm.registerHostFunction('host.fetchScore', async (id) => ({ id, score: id * 10 }));

// Synchronous, on this thread.
console.log(vm.execSync('return host.greet(args.who)', { args: { who: 'lua' } }));

// On the VM's own thread: the event loop stays free.
vm.execSync('function total(ids) local s = 0 for _, id in ipairs(ids) do s = s + host.fetchScore(id).score end return s end');
console.log('total:', await vm.call('total', [1, 2, 3]));

// Runaway code is stopped; the VM stays usable.
try {
  await vm.exec('while true do end', { timeoutMs: 100 });
} catch (err) {
  if (err instanceof LuaError) console.log(`stopped (${err.code}): ${err.message}`);
}
console.log('still alive:', vm.execSync('return 6 * 7'));
vm.close();
