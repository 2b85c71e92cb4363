// The VM behind a runtime lease of a skills engine: a fresh Lua VM with the skill prelude, so the
// skills loaded at creation are reachable through `vulcan.call` (as the seed's `create_runlua_vm`
// gives them; a lease keeps the skills it was created with).
import type { LeaseVm } from '../leases/lease-vm.js';
import { LuaLeaseVm } from '../leases/lua-lease-vm.js';
import type { LeasePathContext } from '../leases/paths.js';
import { LuaVm } from '../vm/lua-vm.js';
import { logRecord } from '../vulcan/log.js';
import type { VulcanServices } from '../vulcan/services.js';
import { installSkillPrelude, type SkillEntryRuntime } from './skill-vm.js';

/** A lease VM over `entries`; the VM is closed again when the prelude fails to install. */
export function createSkillLeaseVm(paths: LeasePathContext, entries: Record<string, SkillEntryRuntime>, services: VulcanServices, managedIoCompat: boolean): LeaseVm {
  const vm = new LuaVm();
  try {
    installSkillPrelude(vm, entries, services);
  } catch (err) {
    vm.close();
    throw err;
  }
  return new LuaLeaseVm(vm, paths, {
    managedIoCompat,
    // The managed io.write sends "[LuaSkill:stdout] <text>": one more Lua log record.
    onLog: (message) => services.log(logRecord('stdout', message.replace(/^\[LuaSkill:stdout\] /, ''), 'io', null, null)),
  });
}
