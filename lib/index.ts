export { LuaVm, LuaFunction, type LuaValue, type HostFunction } from './vm/lua-vm.js';
export { LuaError, LUA_ERROR_CODES, type LuaErrorCode, type LuaErrorDetails } from './vm/errors.js';
export {
  LuaVmOptionsSchema,
  ExecOptionsSchema,
  AsyncExecOptionsSchema,
  CallOptionsSchema,
  AsyncCallOptionsSchema,
  type LuaVmOptions,
  type ExecOptions,
  type AsyncExecOptions,
  type CallOptions,
  type AsyncCallOptions,
} from './vm/options.js';
