-- wrk script fragment: counts answers by status code per thread and prints the non-2xx ones,
-- e.g. "statuses: 503=2 429=10". Appended to a request script, or used alone for GETs.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  if setup_request then setup_request(thread) end
end

function response(status, headers, body)
  if status >= 300 then
    local name = "s" .. status
    _G[name] = (_G[name] or 0) + 1
  end
end

function done(summary, latency, requests)
  local out = {}
  for code = 300, 599 do
    local n = 0
    for _, t in ipairs(threads) do n = n + (t:get("s" .. code) or 0) end
    if n > 0 then table.insert(out, code .. "=" .. n) end
  end
  io.write("statuses: " .. (#out > 0 and table.concat(out, " ") or "all 2xx") .. "\n")
  if report then report(summary, latency, requests) end
end
