-- Installed once into every pooled skill VM (lib/engine/skill-vm.ts). It keeps the entry table of
-- the loaded skills, compiles each entry's handler on first use (per VM, keyed by canonical name,
-- so module-level state lives per VM as upstream and two skills may share a lua_module), resets
-- the request scope around every call, and implements vulcan.call for nested calls in the same VM.
-- args: { entries = { [canonical] = entry }, runtime_root = string|nil }
local args = ...
local types = require("luaskills.types")

local entries = args.entries
local handlers = {}

vulcan = vulcan or {}
vulcan.context = vulcan.context or {}
vulcan.runtime = vulcan.runtime or {}
vulcan.runtime.internal = vulcan.runtime.internal or {}
vulcan.deps = vulcan.deps or {}
vulcan.json = vulcan.json or require("luaskills.json")
vulcan.path = vulcan.path or require("luaskills.path")
vulcan.process = vulcan.process or require("luaskills.process")
vulcan.os = vulcan.os or require("luaskills.os")

local function empty_object()
  return types.object()
end

-- Upstream reset_pooled_vm_request_scope: what a call leaves behind never reaches the next one.
local function reset_scope()
  local ctx = vulcan.context
  ctx.request = empty_object()
  ctx.client_info = nil
  ctx.client_capabilities = empty_object()
  ctx.client_budget = empty_object()
  ctx.tool_config = empty_object()
  ctx.host_result = { enabled = false, allowed_kinds = types.array(), max_payload_bytes = nil }
  ctx.skill_dir, ctx.entry_dir, ctx.entry_file = nil, nil, nil
  local internal = vulcan.runtime.internal
  internal.tool_name, internal.skill_name, internal.entry_name, internal.root_name = nil, nil, nil, nil
  internal.luaexec_active = false
  vulcan.deps.tools_path, vulcan.deps.lua_path, vulcan.deps.ffi_path = nil, nil, nil
  __runlua_args = nil
end

-- The per-call request context (already shaped by the host: tables or empty objects).
local function apply_scope(scope)
  local ctx = vulcan.context
  ctx.request = scope.request or empty_object()
  ctx.client_info = scope.client_info
  ctx.client_capabilities = scope.client_capabilities or empty_object()
  ctx.client_budget = scope.client_budget or empty_object()
  ctx.tool_config = scope.tool_config or empty_object()
  if scope.host_result then ctx.host_result = scope.host_result end
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

-- Values go back with their Lua types; values that cannot cross to JS go back as nil.
local function describe(n, ...)
  local kinds = {}
  local values = table.pack(...)
  for i = 1, n do
    local v = values[i]
    kinds[i] = type_name(v)
    if not crossable[type(v)] and not types.is_null(v) then values[i] = nil end
  end
  return n, kinds, table.unpack(values, 1, n)
end

-- Host side of call_skill: one entry call with a fresh request scope. Returns the count, the
-- Lua types and the values.
function __luaskills_invoke(name, call_args, scope, recompile)
  local entry = entries[name]
  if entry == nil then error("Lua skill '" .. name .. "' not found", 0) end
  reset_scope()
  apply_scope(scope)
  apply_entry(name, entry)
  -- Compiling can fail too: the scope is reset on every path.
  local results = table.pack(pcall(handler_for, name, entry, recompile))
  if results[1] then results = table.pack(pcall(results[2], call_args)) end
  reset_scope()
  if not results[1] then error(results[2], 0) end
  return describe(results.n - 1, table.unpack(results, 2, results.n))
end

-- run_lua and help renders: the request scope (and, for a help file, the skill's markers) for
-- one host job, set before it and reset after it by the host.
function __luaskills_enter(scope, marker_name, marker)
  reset_scope()
  apply_scope(scope)
  if marker ~= nil then apply_entry(marker_name, marker) end
end

function __luaskills_leave()
  reset_scope()
end

-- vulcan.call: another entry, synchronously in this VM, with the caller's request context; every
-- return value comes back unchanged (tables allowed). The caller's markers are restored even when
-- the callee fails.
function vulcan.call(name, call_args)
  if type(name) ~= "string" or name == "" or name:find("\0", 1, true) then
    error("call: name must be a non-empty string", 2)
  end
  if type(call_args) ~= "table" then
    error("call: args must be a table, got " .. type(call_args), 2)
  end
  local entry = entries[name]
  if entry == nil then error("Skill '" .. name .. "' not found", 2) end
  local internal = vulcan.runtime.internal
  local ctx = vulcan.context
  local saved = {
    internal.tool_name, internal.skill_name, internal.entry_name, internal.root_name,
    ctx.skill_dir, ctx.entry_dir, ctx.entry_file,
    vulcan.deps.tools_path, vulcan.deps.lua_path, vulcan.deps.ffi_path,
  }
  apply_entry(name, entry)
  local results = table.pack(pcall(handler_for, name, entry, false))
  if results[1] then results = table.pack(pcall(results[2], call_args)) end
  internal.tool_name, internal.skill_name, internal.entry_name, internal.root_name = saved[1], saved[2], saved[3], saved[4]
  ctx.skill_dir, ctx.entry_dir, ctx.entry_file = saved[5], saved[6], saved[7]
  vulcan.deps.tools_path, vulcan.deps.lua_path, vulcan.deps.ffi_path = saved[8], saved[9], saved[10]
  if not results[1] then error(results[2], 0) end
  return table.unpack(results, 2, results.n)
end

reset_scope()
