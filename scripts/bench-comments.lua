-- wrk script for scripts/bench-comments: distinct comment bodies, a random client address in
-- X-Forwarded-For (the server trusts 127.0.0.1 as a proxy, so the per-client limit is checked
-- as in production), an email (hence a receipt mail row) on every third comment.
-- BURST_PER_THREAD=n makes each thread stop after n answers (the burst run); CLIENTS=one sends
-- every comment from one address.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  limit = tonumber(os.getenv("BURST_PER_THREAD") or "0")
  one_client = os.getenv("CLIENTS") == "one"
  math.randomseed(os.time() * 1000 + id * 7919)
  counter, created, other, answers = 0, 0, 0, 0
end

function request()
  counter = counter + 1
  local ip = "10.1.2.3"
  if not one_client then
    ip = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  end
  local email = ""
  if counter % 3 == 0 then
    email = string.format(',"email":"bench-%d-%d@example.com"', id, counter)
  end
  local body = string.format(
    '{"body":"基准测试意见 %d-%d：建议明确第三条的适用范围，并延长过渡期。","stakeholder_type":"individual","article":%d,"consent":true%s}',
    id, counter, counter % 5 + 1, email)
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = ip }, body)
end

function response(status, headers, body)
  answers = answers + 1
  if status == 201 then created = created + 1 else other = other + 1 end
  if limit > 0 and answers >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
  end
  local secs = summary.duration / 1e6
  io.write(string.format(
    "RESULT answers=%d created=%d other=%d errors=%d seconds=%.3f created_per_s=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, c, o,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    secs, c / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
