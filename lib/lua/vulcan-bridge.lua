-- The vulcan surfaces that live in the engine (lib/vulcan/): vulcan.runtime (log, cwd,
-- directories), print, vulcan.cache, vulcan.config, vulcan.host and vulcan.models, over the host
-- functions of lib/vulcan/host-functions.ts. Installed into every skill and lease VM before the
-- skill prelude.
-- args: { temp_dir = string|nil, resources_dir = string|nil, lua_exec = boolean, skills_enabled = boolean }
local args = ...
local json = require("luaskills.json")
local types = require("luaskills.types")
local logical_cwd = require("luaskills.cwd")

-- The host functions, taken out of the globals: skill code reaches them only through vulcan.*.
local host = __luaskills_host or {}
__luaskills_host = nil

local select, tostring, type, error, pcall, next = select, tostring, type, error, pcall, next
local concat = table.concat

vulcan = vulcan or {}
vulcan.runtime = vulcan.runtime or {}
vulcan.runtime.internal = vulcan.runtime.internal or {}

-- vulcan.runtime: who is running (internal, set per call), where, and the log.
local runtime = vulcan.runtime
runtime.temp_dir = args.temp_dir
runtime.resources_dir = args.resources_dir
runtime.overflow_type = { truncate = "truncate", page = "page" }

local function current(field)
  local v = vulcan and type(vulcan.runtime) == "table" and type(vulcan.runtime.internal) == "table" and vulcan.runtime.internal[field]
  return type(v) == "string" and v or nil
end

local host_log = host.log
local function emit(label, message, source)
  if host_log then host_log(label, message, source, current("tool_name"), current("skill_name")) end
end

-- vulcan.runtime.skills: the delegated skill-management bridge, off unless the host enables it.
do
  local enabled = args.skills_enabled == true
  local status, layers, manage = host.skills_status, host.skills_layers, host.skills_manage
  local skills = { enabled = enabled }
  skills.status = function() return status() end
  skills.layers = function() return layers() end
  for _, op in ipairs({ "install", "update", "uninstall", "enable", "disable" }) do
    skills[op] = function(input)
      local fn = "vulcan.runtime.skills." .. op
      if not enabled then error(fn .. " is disabled by host policy", 0) end
      local ok, text = pcall(json.encode, input)
      if not ok then error(fn .. ": " .. tostring(text), 0) end
      return manage(op, text)
    end
  end
  runtime.skills = skills
end

-- For the other preludes (luaexec's managed io.write): emit(label, message, source).
package.loaded["luaskills.log"] = emit

function runtime.log(level, message)
  if type(level) ~= "string" or level:match("^%s*$") then
    error("vulcan.runtime.log: level must be a non-empty string", 0)
  end
  local t = type(message)
  if t ~= "string" and t ~= "number" then
    error("vulcan.runtime.log: message must be a string, got " .. t, 0)
  end
  emit(level, tostring(message), "log")
end

-- The process cwd, or a lease's logical cwd (nothing here ever chdirs the process).
runtime.cwd = logical_cwd.effective

-- vulcan.runtime.lua.exec (skill pool VMs only): luaexec in a VM of the luaexec pool; returns
-- upstream's Markdown. The calling entry becomes the luaexec caller (re-entry guard).
if args.lua_exec then
  local lua_exec = host.lua_exec
  runtime.lua = {
    exec = function(input)
      if type(input) ~= "table" then error("runtime.lua.exec: input must be a table, got " .. type(input), 0) end
      return lua_exec(input, current("tool_name"))
    end,
  }
end

-- print goes to the engine's log sink, tab-separated, as upstream logs it at info level.
function print(...)
  local n = select("#", ...)
  local parts = { ... }
  for i = 1, n do parts[i] = tostring(parts[i]) end
  emit("info", concat(parts, "\t", 1, n), "print")
end

-- vulcan.cache: per-engine TTL cache; values go through vulcan.json, as upstream stores them.
local cache_put, cache_get, cache_delete = host.cache_put, host.cache_get, host.cache_delete
local function cache_scope()
  return current("tool_name") or current("skill_name") or "__runtime"
end

vulcan.cache = {
  put = function(value, ttl_sec)
    if ttl_sec ~= nil and type(ttl_sec) ~= "number" then
      error("vulcan.cache.put: ttl_sec must be a number, got " .. type(ttl_sec), 0)
    end
    local ok, text = pcall(json.encode, value)
    if not ok then error("vulcan.cache.put: " .. tostring(text), 0) end
    return cache_put(cache_scope(), text, ttl_sec)
  end,
  get = function(id)
    if type(id) ~= "string" then error("vulcan.cache.get: id must be a string, got " .. type(id), 0) end
    local text = cache_get(cache_scope(), id)
    if text == nil then return nil end
    return json.decode(text)
  end,
  delete = function(id)
    if type(id) ~= "string" then error("vulcan.cache.delete: id must be a string, got " .. type(id), 0) end
    return cache_delete(cache_scope(), id)
  end,
}

-- vulcan.config: the current skill's values in the engine's config store. A skill that declares
-- `config:` in skill.yaml (0.5.5) gets typed values, defaults and validation from the host; any
-- other skill keeps the 0.4.6 string values.
local config_get, config_set, config_delete, config_list = host.config_get, host.config_set, host.config_delete, host.config_list
local config_describe, config_status = host.config_describe, host.config_status
local function config_skill(op)
  local skill = current("skill_name")
  if skill == nil then error("vulcan.config." .. op .. " requires one active skill context", 0) end
  return skill
end
local function config_key(op, key)
  if type(key) ~= "string" then error("vulcan.config." .. op .. ": key must be a string, got " .. type(key), 0) end
  if key:match("^%s*$") then error("vulcan.config." .. op .. ": key must not be empty", 0) end
  return key
end
local function config_value(op, v)
  local t = type(v)
  if t ~= "string" and t ~= "number" and t ~= "boolean" then
    error("vulcan.config." .. op .. ": value must be a string, number or boolean, got " .. t, 0)
  end
  return v
end
local function config_read(skill, key)
  local got = config_get(skill, key)
  if got == nil then return nil end
  if type(got) == "table" then
    if got.type == "float" then return got.value + 0.0 end
    return got.value
  end
  return got
end

vulcan.config = {
  get = function(key)
    local skill = config_skill("get")
    return config_read(skill, config_key("get", key))
  end,
  has = function(key)
    local skill = config_skill("has")
    return config_read(skill, config_key("has", key)) ~= nil
  end,
  -- set(key, value) or set({ key = value, ... }) (all or nothing).
  set = function(key, value)
    local skill = config_skill("set")
    if type(key) == "table" then
      if value ~= nil then error("vulcan.config.set: a table of values takes no second argument", 0) end
      local values, count = {}, 0
      for k, v in pairs(key) do
        if type(k) ~= "string" then error("vulcan.config.set: table keys must be strings, got " .. type(k), 0) end
        values[k] = config_value("set", v)
        count = count + 1
      end
      if count == 0 then error("vulcan.config.set: CONFIG_BATCH_EMPTY: a batch set needs at least one value", 0) end
      return config_set(skill, values, nil, "table")
    end
    key = config_key("set", key)
    if value == nil then error("vulcan.config.set: value must be a string, got nil", 0) end
    return config_set(skill, key, value, type(value))
  end,
  delete = function(key)
    local skill = config_skill("delete")
    return config_delete(skill, config_key("delete", key))
  end,
  list = function()
    return config_list(config_skill("list"))
  end,
  -- The current skill's declared items with state and (non-sensitive) values.
  describe = function()
    return config_describe(config_skill("describe"))
  end,
  -- { complete, missing = {...}, invalid = {...}, orphaned = {...} } for the current skill.
  status = function()
    return config_status(config_skill("status"))
  end,
}


-- Who is asking, for the host: the running entry and the request it serves.
local function caller()
  local internal = type(vulcan.runtime) == "table" and vulcan.runtime.internal or {}
  local ctx = type(vulcan.context) == "table" and vulcan.context or {}
  local request = type(ctx.request) == "table" and ctx.request or {}
  local info = type(request.client_info) == "table" and request.client_info or {}
  return {
    skill_id = internal.skill_name, entry_name = internal.entry_name,
    canonical_tool_name = internal.tool_name, root_name = internal.root_name, skill_dir = ctx.skill_dir,
    client_name = request.client_name or info.name, request_id = request.request_id,
  }
end

-- vulcan.host: the host's own tools, through the engine's host-tool handler.
local host_tool = host.host_tool

local function tool_name_arg(fn, name)
  if type(name) ~= "string" then error(fn .. ": tool_name must be a string, got " .. type(name), 0) end
  if name:match("^%s*$") then error(fn .. ": tool_name must not be empty", 0) end
  if name:find("\0", 1, true) then error(fn .. ": tool_name must not contain NUL bytes", 0) end
  return name
end

local function has_tool(name)
  name = tool_name_arg("host.has", name)
  local r = host_tool("has", name, json.object(), caller())
  if r.state == "missing" then return false end
  if r.state == "error" then error("vulcan.host.has: " .. r.message, 0) end
  local v = r.value
  if type(v) == "boolean" then return v end
  if type(v) == "table" then
    for _, key in ipairs({ "exists", "has", "available" }) do
      if type(v[key]) == "boolean" then return v[key] end
    end
    error("vulcan.host.has: host tool has callback must return a boolean or an object with boolean exists/has/available", 0)
  end
  error("vulcan.host.has: host tool has callback must return a boolean", 0)
end

vulcan.host = {
  list = function()
    local r = host_tool("list", nil, json.object(), caller())
    if r.state == "missing" then return {} end
    if r.state == "error" then error("vulcan.host.list: " .. r.message, 0) end
    return r.value
  end,
  has = has_tool,
  has_tool = has_tool,
  call = function(name, call_args)
    name = tool_name_arg("host.call", name)
    if type(call_args) ~= "table" then error("host.call: args must be a table, got " .. type(call_args), 0) end
    -- Empty args go out as an object, as upstream sends them.
    if next(call_args) == nil then call_args = json.object() end
    local r = host_tool("call", name, call_args, caller())
    if r.state == "missing" then
      return { ok = false, error = { code = "host_tool_callback_missing",
        message = "host tool bridge has no registered callback for '" .. name .. "'" } }
    end
    if r.state == "error" then
      return { ok = false, error = { code = "host_tool_callback_error", message = r.message } }
    end
    local v = r.value
    -- An object passes through; anything else is wrapped.
    if type(v) == "table" and not types.is_array(v) and (next(v) ~= nil or types.is_object(v)) then return v end
    return { ok = true, value = v }
  end,
}

-- vulcan.models: embeddings and chat completions through the engine's model handlers. Never
-- raises: every failure is an { ok = false, error = { code, message } } envelope.
local model_call, model_caps = host.model_call, host.model_caps

local function model_error(code, message)
  return { ok = false, error = { code = code, message = message } }
end

local function model_text(fn, param, v)
  if v == nil then return nil, model_error("invalid_argument", fn .. ": " .. param .. " is required") end
  if type(v) ~= "string" then
    local t = type(v)
    if t == "number" then t = math.type(v) == "integer" and "integer" or "number" end
    return nil, model_error("invalid_argument", fn .. ": " .. param .. " must be a string, got " .. t)
  end
  if utf8.len(v) == nil then return nil, model_error("invalid_argument", fn .. ": " .. param .. " must be a valid UTF-8 string") end
  if v:match("^%s*$") then return nil, model_error("invalid_argument", fn .. ": " .. param .. " must not be empty") end
  if v:find("\0", 1, true) then return nil, model_error("invalid_argument", fn .. ": " .. param .. " must not contain NUL bytes") end
  return v
end

vulcan.models = {
  status = function()
    local caps = model_caps()
    return { ok = true, capabilities = { embed = caps.embed, llm = caps.llm } }
  end,
  has = function(...)
    if select("#", ...) ~= 1 then return false end
    local cap = ...
    if cap ~= "embed" and cap ~= "llm" then return false end
    return model_caps()[cap] == true
  end,
  embed = function(...)
    local n = select("#", ...)
    if n ~= 1 then return model_error("invalid_argument", "vulcan.models.embed: expected 1 argument(s), got " .. n) end
    local text, err = model_text("vulcan.models.embed", "text", ...)
    if not text then return err end
    return model_call("embed", { text = text, caller = caller() })
  end,
  llm = function(...)
    local n = select("#", ...)
    if n ~= 2 then return model_error("invalid_argument", "vulcan.models.llm: expected 2 argument(s), got " .. n) end
    local system, user = ...
    local s, err = model_text("vulcan.models.llm", "system", system)
    if not s then return err end
    local u, err2 = model_text("vulcan.models.llm", "user", user)
    if not u then return err2 end
    return model_call("llm", { system = s, user = u, caller = caller() })
  end,
}
