return function(args)
  local out, n = {}, 0
  for line in ((args.text or "") .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    out[#out + 1] = string.format("%4d  %s", n, line)
  end
  -- content, then overflow_mode and template_hint for the host
  return table.concat(out, "\n"), n > 20 and "page" or nil, "numbered-lines"
end
