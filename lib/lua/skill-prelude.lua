-- Installed once into every pooled skill VM (lib/engine/skill-vm.ts) and every lease VM. It
-- keeps the entry table of the loaded skills, compiles each entry's handler on first use (per
-- VM, keyed by canonical name, so module-level state lives per VM as upstream and two skills may
-- share a lua_module), resets the request scope around every call, implements vulcan.call for
-- nested calls in the same VM. The engine-side surfaces (log, print, cache, config, host, models)
-- come from vulcan-bridge.lua, installed just before.
-- args: { entries = { [canonical] = entry } }
local args = ...
local types = require("luaskills.types")
local json = require("luaskills.json")
local db = require("luaskills.db")

local entries = args.entries
local handlers = {}
local type, error, pcall = type, error, pcall
local pack, unpack = table.pack, table.unpack

vulcan = vulcan or {}
vulcan.context = vulcan.context or {}
vulcan.runtime = vulcan.runtime or {}
vulcan.runtime.internal = vulcan.runtime.internal or {}
vulcan.deps = vulcan.deps or {}
vulcan.json = vulcan.json or json
vulcan.path = vulcan.path or require("luaskills.path")
vulcan.fs = vulcan.fs or require("luaskills.fs")
vulcan.io = vulcan.io or require("luaskills.io")
vulcan.process = vulcan.process or require("luaskills.process")
vulcan.os = vulcan.os or require("luaskills.os")

local function empty_object()
  return types.object()
end

-- Upstream reset_pooled_vm_request_scope: what a call leaves behind never reaches the next one.
-- A skill may have replaced or dropped the tables the scope lives in: the next call gets them back.
local function table_at(t, key)
  local v = rawget(t, key)
  if type(v) ~= "table" then v = {}; rawset(t, key, v) end
  return v
end

-- With `scope`, the reset and the call's request context (already shaped by the host: tables or
-- empty objects) in one pass, so no reset value is made only to be replaced. `bindings` says what
-- goes into vulcan.sqlite / vulcan.lancedb:
--   "disabled": fresh disabled tables (code runs next and sees them: run_lua, luaexec, leases);
--   "entry":    nothing, apply_entry installs the entry's fresh bindings next;
--   "idle":     the VM's shared disabled pair, after a job: no code runs before the next job's
--               reset, which installs fresh ones, so the tables after a job need not be new.
local function reset_scope(scope, bindings)
  if type(vulcan) ~= "table" then vulcan = {} end
  local ctx = table_at(vulcan, "context")
  local internal = table_at(table_at(vulcan, "runtime"), "internal")
  table_at(vulcan, "deps")
  if scope == nil then
    ctx.request = empty_object()
    ctx.client_info = nil
    ctx.client_capabilities = empty_object()
    ctx.client_budget = empty_object()
    ctx.tool_config = empty_object()
    ctx.host_result = { enabled = false, allowed_kinds = types.array(), max_payload_bytes = nil }
  else
    ctx.request = scope.request or empty_object()
    ctx.client_info = scope.client_info
    ctx.client_capabilities = scope.client_capabilities or empty_object()
    ctx.client_budget = scope.client_budget or empty_object()
    ctx.tool_config = scope.tool_config or empty_object()
    ctx.host_result = scope.host_result
      or { enabled = false, allowed_kinds = types.array(), max_payload_bytes = nil }
  end
  ctx.skill_dir, ctx.entry_dir, ctx.entry_file = nil, nil, nil
  internal.tool_name, internal.skill_name, internal.entry_name, internal.root_name = nil, nil, nil, nil
  internal.luaexec_active = false
  internal.luaexec_caller_tool_name = nil
  vulcan.deps.tools_path, vulcan.deps.lua_path, vulcan.deps.ffi_path = nil, nil, nil
  if bindings == "disabled" then db.apply(nil) elseif bindings == "idle" then db.apply_idle() end
  __runlua_args = nil
end

-- Who is running: the internal markers, the file context and the dependency paths of an entry.
local function apply_entry(name, entry)
  local internal = vulcan.runtime.internal
  internal.tool_name = name
  internal.skill_name = entry.skill_id
  internal.entry_name = entry.entry_name
  internal.root_name = entry.root_name
  local ctx = vulcan.context
  ctx.skill_dir, ctx.entry_dir, ctx.entry_file = entry.skill_dir, entry.entry_dir, entry.entry_file
  vulcan.deps.tools_path = entry.tools_path
  vulcan.deps.lua_path = entry.lua_path
  vulcan.deps.ffi_path = entry.ffi_path
  db.apply(entry)
end

local function compile(name, entry)
  local file, open_err = io.open(entry.entry_file, "rb")
  if not file then error("cannot read Lua entry " .. entry.entry_file .. ": " .. tostring(open_err), 0) end
  local source = file:read("a")
  file:close()
  -- The chunk is named after lua_module, as upstream names it.
  local chunk, load_err = load(source, entry.lua_module, "t")
  if not chunk then error(load_err, 0) end
  local handler = chunk()
  if type(handler) ~= "function" then
    error("Skill function '" .. entry.lua_module .. "' not found", 0)
  end
  handlers[name] = handler
  return handler
end

local function handler_for(name, entry, recompile)
  local handler = handlers[name]
  if handler == nil or recompile then handler = compile(name, entry) end
  return handler
end

-- mlua's type names, which upstream puts in its messages.
local function type_name(v)
  local t = type(v)
  if t == "number" then return math.type(v) == "integer" and "integer" or "number" end
  if t == "userdata" and types.is_null(v) then return "lightuserdata" end
  return t
end

local crossable = { ["nil"] = true, boolean = true, number = true, string = true, table = true }

-- Values go back with their Lua types; values that cannot cross to JS go back as nil. `results` is
-- pcall's packed outcome (true, values...), changed in place.
local function describe(results)
  local n = results.n - 1
  local kinds = {}
  for i = 1, n do
    local v = results[i + 1]
    kinds[i] = type_name(v)
    if not crossable[type(v)] and not types.is_null(v) then results[i + 1] = nil end
  end
  return n, kinds, unpack(results, 2, results.n)
end

-- Host side of call_skill: one entry call with a fresh request scope. Returns the count, the
-- Lua types and the values.
function __luaskills_invoke(name, call_args, scope, recompile)
  local entry = entries[name]
  if entry == nil then error("Lua skill '" .. name .. "' not found", 0) end
  reset_scope(scope, "entry")
  apply_entry(name, entry)
  -- Compiling can fail too: the scope is reset on every path.
  local ok, handler = pcall(handler_for, name, entry, recompile)
  local results
  if ok then results = pack(pcall(handler, call_args)) else results = pack(false, handler) end
  reset_scope(nil, "idle")
  if not results[1] then error(results[2], 0) end
  return describe(results)
end

-- run_lua and help renders: the request scope (and, for a help file, the skill's markers) for
-- one host job, set before it and reset after it by the host.
function __luaskills_enter(scope, marker_name, marker)
  reset_scope(scope, marker ~= nil and "entry" or "disabled")
  if marker ~= nil then apply_entry(marker_name, marker) end
end

function __luaskills_leave()
  reset_scope(nil, "idle")
end

-- What vulcan.call saves and restores around a nested call (upstream LuaNestedCallScopeGuard):
-- the global vulcan table, its core tables, and the fields of context, internal and deps, so a
-- callee that replaces or scribbles on them (or fails half-way) leaves its caller untouched.
local CORE = { "call", "runtime", "fs", "io", "path", "process", "os", "json", "cache", "config",
  "models", "host", "context", "deps", "sqlite", "lancedb" }
local RUNTIME_CORE = { "skills", "internal", "lua" }

local function fields(t)
  if type(t) ~= "table" then return nil end
  local copy = {}
  for k, v in next, t do copy[k] = v end
  return copy
end

local function refill(t, copy)
  if type(t) ~= "table" or copy == nil then return end
  for k in next, t do if copy[k] == nil then t[k] = nil end end
  for k, v in next, copy do t[k] = v end
end

local function snapshot()
  local v = vulcan
  local s = { vulcan = v, core = {}, runtime_core = {} }
  for i = 1, #CORE do s.core[i] = rawget(v, CORE[i]) end
  local rt = s.core[2]
  if type(rt) == "table" then
    for i = 1, #RUNTIME_CORE do s.runtime_core[i] = rawget(rt, RUNTIME_CORE[i]) end
  end
  s.context = fields(rawget(v, "context"))
  s.internal = type(rt) == "table" and fields(rawget(rt, "internal")) or nil
  s.deps = fields(rawget(v, "deps"))
  return s
end

local function restore(s)
  vulcan = s.vulcan
  local v = s.vulcan
  for i = 1, #CORE do rawset(v, CORE[i], s.core[i]) end
  local rt = s.core[2]
  if type(rt) == "table" then
    for i = 1, #RUNTIME_CORE do rawset(rt, RUNTIME_CORE[i], s.runtime_core[i]) end
    refill(rawget(rt, "internal"), s.internal)
  end
  refill(rawget(v, "context"), s.context)
  refill(rawget(v, "deps"), s.deps)
end

-- vulcan.call: another entry, synchronously in this VM, with the caller's request context; every
-- return value comes back unchanged (tables allowed). The caller's vulcan is restored even when
-- the callee fails.
local function call(name, call_args)
  if type(name) ~= "string" or name == "" or name:find("\0", 1, true) then
    error("call: name must be a non-empty string", 0)
  end
  if type(call_args) ~= "table" then
    error("call: args must be a table, got " .. type(call_args), 0)
  end
  local entry = entries[name]
  -- luaexec re-entry guards (upstream): not back into the tool that started this luaexec, and
  -- not into the luaexec entries themselves.
  local internal = type(vulcan.runtime) == "table" and vulcan.runtime.internal
  if type(internal) == "table" and internal.luaexec_active then
    if internal.luaexec_caller_tool_name ~= nil and name == internal.luaexec_caller_tool_name then
      error("vulcan.call cannot call the current luaexec caller tool '" .. name .. "'", 0)
    end
    if entry ~= nil and entry.skill_id == "vulcan-runtime" and (entry.entry_name == "lua-exec" or entry.entry_name == "lua-file") then
      error("vulcan.call cannot invoke '" .. name .. "' inside luaexec", 0)
    end
  end
  if entry == nil then error("Skill '" .. name .. "' not found", 0) end
  local saved = snapshot()
  apply_entry(name, entry)
  local results = pack(pcall(handler_for, name, entry, false))
  if results[1] then results = pack(pcall(results[2], call_args)) end
  restore(saved)
  if not results[1] then error(results[2], 0) end
  return unpack(results, 2, results.n)
end
vulcan.call = call

reset_scope(nil, "disabled")
