return function(args)
  local counted = vulcan.call("text-tools-word-count", { text = args.text })
  return "summary of " .. vulcan.context.request.request_id .. ": " .. counted
end
