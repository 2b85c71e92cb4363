-- vulcan.sqlite / vulcan.lancedb: the binding of the skill that is running. Installed into every
-- skill and lease VM right after vulcan-bridge.lua; the skill prelude asks it for the disabled
-- tables on every scope reset and for the entry's binding when an entry starts (also nested,
-- through vulcan.call). Provider calls go to lib/vulcan/database-host-functions.ts.
local json = require("luaskills.json")

local host = __luaskills_db_host or {}
__luaskills_db_host = nil
local host_call, host_status = host.call, host.status

local type, error, pairs = type, error, pairs

local SQLITE_METHODS = {
  "execute_script", "execute_batch", "query_json", "query_stream", "query_stream_wait_metrics",
  "query_stream_chunk", "query_stream_close", "tokenize_text", "upsert_custom_word",
  "remove_custom_word", "list_custom_words", "ensure_fts_index", "rebuild_fts_index",
  "upsert_fts_document", "delete_fts_document", "search_fts",
}
local LANCEDB_METHODS = { "create_table", "vector_upsert", "vector_search", "delete", "drop_table" }
local METHODS = { sqlite = SQLITE_METHODS, lancedb = LANCEDB_METHODS }

local function current_tool()
  local rt = type(vulcan) == "table" and rawget(vulcan, "runtime")
  local internal = type(rt) == "table" and rawget(rt, "internal")
  local v = type(internal) == "table" and internal.tool_name
  return type(v) == "string" and v or nil
end

-- Upstream's disabled binding: status/info describe it, every other method raises.
local function disabled(kind, skill_name)
  local reason = "current skill has not enabled " .. kind
  local function describe()
    return { enabled = false, initialized = false, skill_name = skill_name,
      integration_mode = "dynamic_library", reason = reason }
  end
  local t = { enabled = false, info = describe, status = describe }
  local function refuse() error(reason, 0) end
  for _, name in ipairs(METHODS[kind]) do t[name] = refuse end
  return t
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
-- vulcan.sqlite does not leak into the next call), with the skill's shared methods.
local function binding(kind, entry)
  local settings = type(entry) == "table" and entry[kind] or nil
  if type(settings) ~= "table" or settings.enable ~= true then
    return disabled(kind, type(entry) == "table" and entry.skill_id or nil)
  end
  local skill = entry.skill_id
  local m = cache[kind][skill]
  if m == nil or m.settings ~= settings then
    m = { settings = settings, fns = methods(kind, settings) }
    cache[kind][skill] = m
  end
  local t = { enabled = true }
  for k, f in pairs(m.fns) do t[k] = f end
  return t
end

package.loaded["luaskills.db"] = {
  -- Both bindings of the entry that starts (nil: outside any skill).
  apply = function(entry)
    if type(vulcan) ~= "table" then return end
    vulcan.sqlite = binding("sqlite", entry)
    vulcan.lancedb = binding("lancedb", entry)
  end,
}
