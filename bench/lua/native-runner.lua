-- Runs one CPU workload under the stock lua5.4 interpreter and times it with os.clock().
-- usage: lua5.4 native-runner.lua <workload.lua>
-- Then reads commands on stdin, one per line:
--   run   -> bench_setup() (untimed), then times bench_run(); prints "ok <ms>" or "bad <ms>"
--   quit  -> exits
-- Nothing is subtracted from the figure.
local file = arg[1]
dofile(file)
local clock = os.clock
for line in io.lines() do
  if line == "run" then
    if bench_setup then bench_setup() end
    local t0 = clock()
    local result = bench_run()
    local dt = (clock() - t0) * 1000
    local ok = (bench_check == nil) or bench_check(result)
    io.write(string.format("%s %.4f\n", ok and "ok" or "bad", dt))
    io.flush()
  elseif line == "quit" then
    break
  end
end
