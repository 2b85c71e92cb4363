-- Installed after the skill prelude into the VMs of the luaexec pool (lib/engine/luaexec.ts).
-- upstream configure_runlua_execution_environment: print is captured for the Markdown result;
-- vulcan.runtime.log, vulcan.cache.* and vulcan.runtime.lua.exec are removed; the managed io
-- compatibility layer replaces io when the host enabled it. Each run gets upstream's synthetic
-- request context, luaexec markers, and (for a file) the file context and its directory as the
-- logical cwd; nothing ever chdirs the process.
-- args: { managed_io = boolean }
local args = ...
local json = require("luaskills.json")
local types = require("luaskills.types")
local logical_cwd = require("luaskills.cwd")
local path = require("luaskills.path")
local select, tostring, type, pcall, load = select, tostring, type, pcall, load
local concat, pack = table.concat, table.pack

local printed = {}

-- How upstream prints a value inline: integral floats as integers (LuaJIT has one number type).
local function inline(v)
  if math.type(v) == "float" and v == math.floor(v) and v > -2^63 and v < 2^63 then
    return string.format("%d", v)
  end
  return tostring(v)
end

function print(...)
  local n = select("#", ...)
  local parts = { ... }
  for i = 1, n do parts[i] = inline(parts[i]) end
  printed[#printed + 1] = concat(parts, "\t", 1, n)
end

vulcan.runtime.log = nil
vulcan.cache.put, vulcan.cache.get, vulcan.cache.delete = nil, nil, nil
if type(vulcan.runtime.lua) == "table" then vulcan.runtime.lua.exec = nil end
-- The managed io.write without an output goes to the engine's log (label stdout), as upstream.
local emit = require("luaskills.log")
if args.managed_io then
  require("luaskills.io_compat")({
    log = function(line) emit("stdout", (line:gsub("^%[LuaSkill:stdout%] ", "")), "io") end,
  })
end

local function synthetic_request()
  return {
    transport_name = "luaexec_call",
    session_id = "luaexec-call-internal",
    client_info = { kind = "runtime", name = "luaexec_call", version = "internal-runtime" },
    client_capabilities = types.object(),
  }
end

-- Before a run (after the skill prelude's reset, through __luaskills_enter).
function __luaskills_luaexec_begin(caller_tool_name, entry_file)
  local ctx = vulcan.context
  ctx.request = synthetic_request()
  ctx.client_info = ctx.request.client_info
  local internal = vulcan.runtime.internal
  internal.luaexec_active = true
  internal.luaexec_caller_tool_name = caller_tool_name
  if entry_file ~= nil then
    ctx.entry_file = entry_file
    ctx.entry_dir = path.dirname(entry_file)
    logical_cwd.set(ctx.entry_dir)
  end
  printed = {}
end

-- The run itself: `args` is a local of the code (on its first line, so line numbers hold), and
-- every returned value comes back rendered as upstream renders it.
function __luaskills_luaexec_run(code, run_args)
  local chunk, err = load("local args = ...; " .. code, "=luaexec", "t")
  if not chunk then error(err, 0) end
  local results = pack(chunk(run_args))
  local rendered = {}
  if results.n == 0 then
    rendered[1] = { format = "json", content = "null" }
  end
  for i = 1, results.n do
    local v = results[i]
    if type(v) == "string" then
      rendered[i] = { format = "text", content = v }
    else
      local ok, text = pcall(json.encode, v)
      if ok then
        rendered[i] = { format = "json", content = text }
      else
        rendered[i] = { format = "text", content = inline(v) }
      end
    end
  end
  return rendered
end

-- After a run, whatever happened: what it printed; the logical cwd goes back to none.
function __luaskills_luaexec_end()
  logical_cwd.set(nil)
  vulcan.runtime.internal.luaexec_caller_tool_name = nil
  local out = printed
  printed = {}
  return out
end
