-- vulcan.sqlite / vulcan.lancedb: the binding of the skill that is running. Installed into every
-- skill and lease VM right after vulcan-bridge.lua; the skill prelude asks it for the disabled
-- tables on every scope reset and for the entry's binding when an entry starts (also nested,
-- through vulcan.call). Provider calls go to lib/vulcan/database-host-functions.ts.
local json = require("luaskills.json")

local host = __luaskills_db_host or {}
__luaskills_db_host = nil
local host_call, host_status = host.call, host.status

local type, error, pairs, ipairs = type, error, pairs, ipairs

-- One constructor per kind: the whole binding in one table constructor, so its hash part is sized
-- once instead of growing field by field (a scope reset makes such tables on every call). `m`
-- holds the functions: the disabled set or one skill's enabled set.
local BUILD = {
  sqlite = function(enabled, m)
    return { enabled = enabled, info = m.info, status = m.status,
      execute_script = m.execute_script, execute_batch = m.execute_batch, query_json = m.query_json,
      query_stream = m.query_stream, query_stream_wait_metrics = m.query_stream_wait_metrics,
      query_stream_chunk = m.query_stream_chunk, query_stream_close = m.query_stream_close,
      tokenize_text = m.tokenize_text, upsert_custom_word = m.upsert_custom_word,
      remove_custom_word = m.remove_custom_word, list_custom_words = m.list_custom_words,
      ensure_fts_index = m.ensure_fts_index, rebuild_fts_index = m.rebuild_fts_index,
      upsert_fts_document = m.upsert_fts_document, delete_fts_document = m.delete_fts_document,
      search_fts = m.search_fts }
  end,
  lancedb = function(enabled, m)
    return { enabled = enabled, info = m.info, status = m.status,
      create_table = m.create_table, vector_upsert = m.vector_upsert, vector_search = m.vector_search,
      delete = m.delete, drop_table = m.drop_table }
  end,
}

-- The method names of each kind, read off its constructor (the one list to keep).
local METHODS = {}
for kind, build in pairs(BUILD) do
  local names = {}
  for name in pairs(build(false, setmetatable({}, { __index = function() return true end }))) do
    if name ~= "enabled" and name ~= "info" and name ~= "status" then names[#names + 1] = name end
  end
  table.sort(names)
  METHODS[kind] = names
end

local function current_tool()
  local rt = type(vulcan) == "table" and rawget(vulcan, "runtime")
  local internal = type(rt) == "table" and rawget(rt, "internal")
  local v = type(internal) == "table" and internal.tool_name
  return type(v) == "string" and v or nil
end

-- Upstream's disabled binding: status/info describe it, every other method raises. The functions
-- depend only on the kind and the skill, so each pair is made once per VM.
local NO_SKILL = {}
local disabled_sets = { sqlite = {}, lancedb = {} }

local function disabled_set(kind, skill_name)
  local key = skill_name == nil and NO_SKILL or skill_name
  local m = disabled_sets[kind][key]
  if m ~= nil then return m end
  local reason = "current skill has not enabled " .. kind
  local function describe()
    return { enabled = false, initialized = false, skill_name = skill_name,
      integration_mode = "dynamic_library", reason = reason }
  end
  local function refuse() error(reason, 0) end
  m = { info = describe, status = describe }
  for _, name in ipairs(METHODS[kind]) do m[name] = refuse end
  disabled_sets[kind][key] = m
  return m
end

local function require_input(kind, method, input)
  if type(input) ~= "table" then
    error(kind .. "." .. method .. ": input must be a table, got " .. type(input), 0)
  end
  return input
end

-- LanceDB's vector_upsert payload, as upstream builds it: rows -> JSON text, a string -> Arrow IPC
-- bytes, a table -> JSON text.
local function upsert_input(input)
  local out = {}
  for k, v in pairs(input) do out[k] = v end
  if input.rows ~= nil then
    out.rows = nil
    out.data = json.encode(input.rows)
    out.input_format = "json"
  elseif type(input.data) == "string" then
    out.input_format = out.input_format or "arrow_ipc"
  elseif type(input.data) == "table" then
    out.data = json.encode(input.data)
    out.input_format = "json"
  else
    error("lancedb.vector_upsert: input requires rows or data", 0)
  end
  return out
end

-- The methods of one skill's enabled binding (shared by every table made for that skill).
local function methods(kind, settings)
  local m = {}
  for _, name in ipairs(METHODS[kind]) do
    m[name] = function(input)
      if kind == "sqlite" and name == "list_custom_words" then
        input = json.object()
      else
        input = require_input(kind, name, input)
      end
      if kind == "lancedb" and name == "vector_upsert" then input = upsert_input(input) end
      if kind == "lancedb" and name == "vector_search" and input.output_format == nil then
        local copy = {}
        for k, v in pairs(input) do copy[k] = v end
        copy.output_format = "json"
        input = copy
      end
      local result = host_call(kind, name, settings, input, current_tool())
      if kind == "lancedb" and name == "vector_search" and type(result) == "table" and result.format == "json"
        and type(result.data) == "string" then
        result.data_json = result.data
        result.data = nil
      end
      return result
    end
  end
  m.status = function() return host_status(kind, settings, false) end
  m.info = function() return host_status(kind, settings, true) end
  return m
end

local cache = { sqlite = {}, lancedb = {} }

-- The binding table of `entry` for `kind`: a fresh table each time (a skill that scribbles on
-- vulcan.sqlite does not leak into the next call), holding the skill's shared functions.
local function binding(kind, entry)
  local settings = type(entry) == "table" and entry[kind] or nil
  if type(settings) ~= "table" or settings.enable ~= true then
    return BUILD[kind](false, disabled_set(kind, type(entry) == "table" and entry.skill_id or nil))
  end
  local skill = entry.skill_id
  local m = cache[kind][skill]
  if m == nil or m.settings ~= settings then
    m = { settings = settings, fns = methods(kind, settings) }
    cache[kind][skill] = m
  end
  return BUILD[kind](true, m.fns)
end

local idle

package.loaded["luaskills.db"] = {
  -- Both bindings of the entry that starts (nil: outside any skill).
  apply = function(entry)
    if type(vulcan) ~= "table" then return end
    vulcan.sqlite = binding("sqlite", entry)
    vulcan.lancedb = binding("lancedb", entry)
  end,
  -- The disabled pair a reset installs after a job: made once per VM, as no job's code sees it
  -- (every job installs fresh bindings before its code runs).
  apply_idle = function()
    if type(vulcan) ~= "table" then return end
    idle = idle or { sqlite = binding("sqlite", nil), lancedb = binding("lancedb", nil) }
    vulcan.sqlite = idle.sqlite
    vulcan.lancedb = idle.lancedb
  end,
}
