-- wrk script for bench/load.mjs: each connection's requests rotate over the URL list in args[1]
-- (one path a line; `path<TAB>etag` sends that If-None-Match too), with the headers given as
-- name/value pairs after it. Requests are formatted
-- once in init, so the client spends no time building them. done() prints one JSON line.
local requests = {}
local count = 0
local at = 0

function init(args)
  local headers = {}
  for k = 2, #args - 1, 2 do headers[args[k]] = args[k + 1] end
  for line in io.lines(args[1]) do
    count = count + 1
    local path, etag = line:match("^([^\t]*)\t(.*)$")
    if path then
      local with = { ["If-None-Match"] = etag }
      for k, v in pairs(headers) do with[k] = v end
      requests[count] = wrk.format("GET", path, with)
    else
      requests[count] = wrk.format("GET", line, headers)
    end
  end
  -- Threads start at different points, so they do not ask for the same document at the same time.
  at = math.random(count) - 1
end

function request()
  at = at % count + 1
  return requests[at]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '\nWRK-RESULT {"requests":%d,"us":%d,"bytes":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50":%d,"p99":%d,"mean":%f}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
