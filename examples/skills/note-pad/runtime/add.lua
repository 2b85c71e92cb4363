local notes = {}
return function(args)
  notes[#notes + 1] = args.text
  return string.format("%d note(s) in this VM; last: %s", #notes, args.text)
end
