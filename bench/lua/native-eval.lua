-- Bare-Lua floor for the eval row: load("return 1+1") + pcall, as luaL_loadstring + lua_pcall.
-- usage: lua5.4 native-eval.lua <reps> <target_ms>
-- Prints "ok <ns per eval> ..." per repetition.
local reps, target = tonumber(arg[1]) or 5, (tonumber(arg[2]) or 200) / 1000
local code = "return 1+1"
local load, pcall, clock = load, pcall, os.clock

local function run(n)
  local t0 = clock()
  for _ = 1, n do
    local ok, v = pcall(load(code))
    if v ~= 2 then error("bad result") end
  end
  return clock() - t0
end

-- calibrate (also warms up)
local n = 1
while true do
  local dt = run(n)
  if dt >= 0.03 then n = math.max(1, math.floor(n * target / dt)) break end
  n = n * 2
end
local out = {}
for r = 1, reps do
  out[#out + 1] = string.format("%.2f", run(n) / n * 1e9)
end
print("ok " .. table.concat(out, " "))
