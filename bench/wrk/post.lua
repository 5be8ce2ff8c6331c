-- POST a fixed, signed WhatsApp webhook body; print one RESULT line (adapted from
-- ../shared/bench-anchors/post.lua).
--   BODY       path of the body (default body.json in the current folder)
--   SIGNATURE  X-Hub-Signature-256 value for that body (Cutover checks it; the others ignore it)
--   DELAY_MS   optional pause before each request on a connection, in ms (fractions allowed), to
--              offer a fixed rate: about connections * 1000 / (DELAY_MS + latency) requests a second
local f = assert(io.open(os.getenv("BODY") or "body.json", "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-User"] = "16505551234"  -- the same id as messages[0].from, for nginx split_clients
local signature = os.getenv("SIGNATURE")
if signature and signature ~= "" then
  wrk.headers["X-Hub-Signature-256"] = signature
end

local pause = tonumber(os.getenv("DELAY_MS") or "")
if pause and pause > 0 then
  -- wrk's delay() takes whole milliseconds: alternate floor and floor + 1 to average the fraction.
  local whole = math.floor(pause)
  local fraction = pause - whole
  function delay()
    if math.random() < fraction then
      return whole + 1
    end
    return whole
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT reqs=%d rps=%.1f p50_us=%d p99_us=%d p999_us=%d err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
    e.connect, e.read, e.write, e.status, e.timeout))
end
