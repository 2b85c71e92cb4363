return function(args)
  local text = args.text or ""
  local words = 0
  for _ in text:gmatch("%S+") do words = words + 1 end
  local lines = 0
  for _ in (text .. "\n"):gmatch("([^\n]*)\n") do lines = lines + 1 end
  return string.format("words=%d lines=%d chars=%d", words, lines, utf8.len(text) or #text)
end
