-- The batch endpoint as a buffering middleware uses it: 99 events per request (33 jobs: queued, started,
-- complete), JSON. Arguments: wrk -s batch.lua URL -- <run prefix>. Wrk puts ticks.lua before it.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
  ticks_setup(thread)
end

function init(args)
  prefix = (args[1] or "r") .. "t" .. tid .. "j"
  n = 0
end

request = function()
  ticks_sent()
  local events = {}
  local at = os.time()
  for i = 1, 33 do
    local jid = prefix .. n
    n = n + 1
    local common = '"job_id":"' .. jid .. '","job_class":"HardWorker","queue":"default"'
    events[#events + 1] = '{' .. common .. ',"status":"queued","at":' .. at .. ',"arguments":[7,"bob@example.com",{"plan":"basic"}]}'
    events[#events + 1] = '{' .. common .. ',"status":"started","at":' .. (at + 1) .. '}'
    events[#events + 1] = '{' .. common .. ',"status":"complete","at":' .. (at + 2) .. '}'
  end
  return wrk.format("POST", "/api/v1/events", { ["Content-Type"] = "application/json" }, "[" .. table.concat(events, ",") .. "]")
end
