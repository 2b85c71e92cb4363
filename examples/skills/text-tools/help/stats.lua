-- Help can be computed: this one names the skill it belongs to from its runtime context.
return function()
  return "Statistics of " .. vulcan.runtime.internal.skill_name
    .. ": words are runs of non-space characters; lines are split on newlines."
end
