-- wrk script for bench/run.py (one script for every endpoint; configured by environment).
--
--   BENCH_MODE           "get" (default) or "post" (new exercise logs, JSON)
--   BENCH_PATHS          comma-separated paths, requested in turn (each thread starts elsewhere)
--   BENCH_COOKIE         the Cookie header (session and CSRF cookies), if any
--   BENCH_CSRF           the X-CSRFToken header for POSTs
--   BENCH_PRESCRIPTIONS  comma-separated prescription ids to log against (post)
--   BENCH_UUID_PREFIX    8 hex digits starting every client_uuid of this run (post), so the
--                        harness can count afterwards what was stored
--
-- Every response's status is counted (wrk itself counts only >= 400 as errors), and done()
-- prints one line "BENCH_JSON {...}" with the counts and latency percentiles in microseconds.

local mode = os.getenv("BENCH_MODE") or "get"
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local uuid_prefix = os.getenv("BENCH_UUID_PREFIX") or "00000000"

local function split(text)
  local items = {}
  for item in string.gmatch(text or "", "[^,]+") do
    items[#items + 1] = item
  end
  return items
end

local paths = split(os.getenv("BENCH_PATHS") or "/")
local prescriptions = split(os.getenv("BENCH_PRESCRIPTIONS"))

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  sent, s200, s201, s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0, 0, 0, 0
  position = thread_id * 7919
  if cookie ~= "" then
    wrk.headers["Cookie"] = cookie
  end
  if mode == "post" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Accept"] = "application/json"
    wrk.headers["X-CSRFToken"] = csrf
  end
end

function request()
  sent = sent + 1
  position = position + 1
  if mode == "post" then
    -- A version-4 UUID unique to this run, thread and request.
    local uuid = string.format("%s-%04x-4000-8000-%012x", uuid_prefix, thread_id, sent)
    local rx = prescriptions[(position % #prescriptions) + 1]
    local body = string.format(
      '{"client_uuid": "%s", "prescription": %s, "sets_done": 1}', uuid, rx
    )
    return wrk.format("POST", paths[1], nil, body)
  end
  return wrk.format(nil, paths[(position % #paths) + 1])
end

function response(status, headers, body)
  if status == 200 then
    s200 = s200 + 1
  elseif status == 201 then
    s201 = s201 + 1
  elseif status < 300 then
    s2xx = s2xx + 1
  elseif status < 400 then
    s3xx = s3xx + 1
  elseif status < 500 then
    s4xx = s4xx + 1
  else
    s5xx = s5xx + 1
  end
end

function done(summary, latency, requests)
  local totals = { sent = 0, s200 = 0, s201 = 0, s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + (thread:get(key) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, '
      .. '"timeouts": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "mean_us": %.1f, "sent": %d, "s200": %d, "s201": %d, "s2xx": %d, '
      .. '"s3xx": %d, "s4xx": %d, "s5xx": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean,
    totals.sent, totals.s200, totals.s201, totals.s2xx, totals.s3xx, totals.s4xx, totals.s5xx
  ))
end
