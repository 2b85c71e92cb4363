return function()
  local out = vulcan.config.get("last_report")
  if out == nil or not vulcan.fs.exists(out) then return "no report yet" end
  local report = vulcan.json.decode(vulcan.fs.read(out))
  return out .. " (" .. #report.files .. " files)"
end
