-- What the original middlewares send for each job, one POST per event, in a real job's ratio: queued, started,
-- complete. Form-encoded as Faraday 1.x sends it. Arguments: wrk -s per-event.lua URL -- <run prefix> <base path>
-- Wrk puts ticks.lua before it.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
  ticks_setup(thread)
end

function init(args)
  prefix = (args[1] or "r") .. "t" .. tid .. "j"
  base = args[2] or "/api/v1"
  n = 0
  arguments = "arguments=%5B7%2C%22bob%40example.com%22%2C%7B%22plan%22%3A%22basic%22%7D%5D"
end

request = function()
  ticks_sent()
  local job = math.floor(n / 3)
  local step = n % 3
  n = n + 1
  local jid = prefix .. job
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded", ["User-Agent"] = "Faraday v1.1.0" }
  if step == 0 then
    return wrk.format("POST", base .. "/jobs", headers,
      arguments .. "&job_class=HardWorker&job_id=" .. jid .. "&queue=default")
  elseif step == 1 then
    return wrk.format("POST", base .. "/jobs/" .. jid .. "/started", headers, arguments .. "&job_class=HardWorker&queue=default")
  else
    return wrk.format("POST", base .. "/jobs/" .. jid .. "/complete", headers, arguments .. "&job_class=HardWorker&queue=default")
  end
end
