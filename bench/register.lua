-- wrk script: POST /register with a fresh login and Telegram id on every request, so every
-- request is a real registration (account created on the game simulator, link row written).
local counter = 0
local prefix

function setup(thread)
  thread:set("tid", tostring(math.random(100000, 999999)))
end

function init(args)
  prefix = "b" .. tid
end

function request()
  counter = counter + 1
  local login = prefix .. "x" .. counter
  local tg = tonumber(tid) * 10000000 + counter
  local body = string.format('{"login":"%s","password":"mypass123","gender":1,"telegram_id":%d}', login, tg)
  return wrk.format("POST", "/register", {["Content-Type"] = "application/json"}, body)
end

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, errors (non-2xx/3xx) %d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status))
end
