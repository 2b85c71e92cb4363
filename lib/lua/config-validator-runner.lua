-- Runs one skill's config_validator in a state opened with libraries = 'safe' (see
-- lib/skills/config-validator.ts). args: { source, name, values, floats, max_issues,
-- max_code_chars, max_message_chars, max_key_chars }.
-- Returns { issues = { {code, message, key?}... } } or { problem = "<text>" }. A problem text
-- names positions and types only, never a value: config values may be secrets.
local args = ...

-- Taken before the validator runs: it shares this global table and may replace anything in it.
local type, next, rawget, load, error = type, next, rawget, load, error
local math_type, utf8_len, format = math.type, utf8.len, string.format

local values = {}
-- A plain copy: the validator gets an ordinary table it may change freely.
for key, value in next, args.values do
  values[key] = value
end
-- JS has one number type; a declared float arrives as a Lua float even when it is whole.
local floats = args.floats
for i = 1, #floats do
  local value = values[floats[i]]
  if value ~= nil then values[floats[i]] = value + 0.0 end
end

local chunk, syntax = load(args.source, args.name, 't')
if chunk == nil then
  return { problem = 'does not compile: ' .. syntax }
end
local validator = chunk()
if type(validator) ~= 'function' then
  return { problem = format('must return a function(values), got %s', type(validator)) }
end
local result = validator(values)

local max_issues = args.max_issues
if type(result) ~= 'table' then
  return { problem = format('must return a list of issues (return {} when there are none), got %s', type(result)) }
end
local count = 0
for key in next, result do
  count = count + 1
  if count > max_issues then
    return { problem = format('returned more than %d issues', max_issues) }
  end
  if math_type(key) ~= 'integer' or key < 1 then
    return { problem = format('must return a list of issues, got a table with a %s key', type(key)) }
  end
end
for i = 1, count do
  if rawget(result, i) == nil then
    return { problem = 'must return a list of issues, got a table with holes' }
  end
end

-- nil when s is a string of 1..max characters of valid UTF-8, else what is wrong with it.
local function text_problem(s, max, optional)
  if s == nil and optional then return nil end
  if type(s) ~= 'string' then return format('must be a string, got %s', type(s)) end
  local length = utf8_len(s)
  if length == nil then return 'must be valid UTF-8' end
  if length == 0 then return 'must not be empty' end
  if length > max then return format('must be at most %d characters, got %d', max, length) end
  return nil
end

local issues = {}
for i = 1, count do
  local issue = rawget(result, i)
  if type(issue) ~= 'table' then
    return { problem = format('issue %d must be a table {key?, code, message}, got %s', i, type(issue)) }
  end
  for field in next, issue do
    if field ~= 'key' and field ~= 'code' and field ~= 'message' then
      return { problem = format('issue %d has a field other than key, code and message (a %s key)', i, type(field)) }
    end
  end
  local code, message, key = rawget(issue, 'code'), rawget(issue, 'message'), rawget(issue, 'key')
  local bad = text_problem(code, args.max_code_chars)
  if bad ~= nil then return { problem = format('issue %d: code %s', i, bad) } end
  bad = text_problem(message, args.max_message_chars)
  if bad ~= nil then return { problem = format('issue %d: message %s', i, bad) } end
  bad = text_problem(key, args.max_key_chars, true)
  if bad ~= nil then return { problem = format('issue %d: key %s', i, bad) } end
  issues[i] = { code = code, message = message, key = key }
end
return { issues = issues }
