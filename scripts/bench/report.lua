-- wrk script for scripts/bench-intake.sh: POST /api/v1/reports with a body
-- that differs on every request, the way many reporters would file them.
--
--   wrk -t2 -c64 -d20s --latency -s scripts/bench/report.lua http://127.0.0.1:PORT/api/v1/reports
--
-- Every request names a URL (https://example.test/p/<n % 5000>) and a handle
-- (@acct<n % 997>), so reports pile up on a few thousand subjects as they do
-- in real intake; the explanation carries the thread and serial, so no two
-- bodies are the same and content deduplication does not shortcut the work.
-- Each request sends a fresh Idempotency-Key, as a careful API client does
-- (set BENCH_IDEMPOTENCY=0 to send none).
--
-- done() prints one machine-readable line that bench-intake.sh parses:
--   BENCH requests=.. ok=.. non2xx=.. duration_us=.. p50_us=.. p99_us=..
--         connect=.. read=.. write=.. timeout=.. status=<code>:<count>,..

local categories = { "drugs", "fraud_scams", "firearms_explosives" }

-- ~200 bytes of mixed Chinese/English text; %s is the request's serial.
local explanations = {
  "Seller posts price lists for ice and pills, ships by courier, asks for payment in private chat. 卖家公开发布冰毒和药丸价目表，通过快递发货，要求私聊付款。 ref %s",
  "Investment 'teacher' promises 30%% a week and blocks people who ask to withdraw their money. 所谓老师承诺每周高额收益，要求提现就被拉黑，还威胁曝光个人信息。 ref %s",
  "Account offers replica pistols and primers; parcels are hidden inside toy boxes. 账号出售仿真枪和底火，藏在玩具盒里发货，用暗语交易，只收加密货币。 ref %s",
}

local threads = {}

-- Runs in the main Lua state, once per thread, before the threads start.
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

-- Runs in each thread's own Lua state.
function init(args)
  tid = tid or 0
  n = 0
  ok = 0
  non2xx = 0
  statuses = {}
  idempotency = os.getenv("BENCH_IDEMPOTENCY") ~= "0"
  -- A run id keeps keys distinct if the same data directory is used twice.
  run = string.format("%x", os.time())
  headers = { ["Content-Type"] = "application/json" }
end

function request()
  n = n + 1
  -- Spread the threads over the subject space instead of marching in step.
  local s = n + tid * 100003
  local serial = string.format("%d-%d", tid, n)
  local c = s % #categories + 1
  local body = string.format(
    '{"category":"%s","explanation":"%s","locations":[{"kind":"url","value":"https://example.test/p/%d"},{"kind":"handle","value":"@acct%d"}],"platform":"ExampleNet","good_faith":true}',
    categories[c],
    string.format(explanations[c], serial),
    s % 5000,
    s % 997
  )
  if idempotency then
    headers["Idempotency-Key"] = "bench-" .. run .. "-" .. serial
  end
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
    -- Show the first refusal of each kind, so a broken run says why.
    if statuses[status] == 1 then
      io.stderr:write(string.format("report.lua: HTTP %d: %s\n", status, string.sub(body or "", 1, 300)))
    end
  end
end

-- Runs in the main state after the run; reads each thread's counters.
function done(summary, latency, requests)
  local total_ok, total_non2xx, by_status = 0, 0, {}
  for _, thread in ipairs(threads) do
    total_ok = total_ok + (thread:get("ok") or 0)
    total_non2xx = total_non2xx + (thread:get("non2xx") or 0)
    local st = thread:get("statuses")
    if st then
      for code, count in pairs(st) do
        by_status[code] = (by_status[code] or 0) + count
      end
    end
  end
  local parts = {}
  for code, count in pairs(by_status) do
    table.insert(parts, string.format("%d:%d", code, count))
  end
  table.sort(parts)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d ok=%d non2xx=%d duration_us=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d timeout=%d status=%s\n",
    summary.requests, total_ok, total_non2xx, summary.duration,
    latency:percentile(50.0), latency:percentile(99.0),
    e.connect, e.read, e.write, e.timeout,
    (#parts > 0) and table.concat(parts, ",") or "-"
  ))
end
