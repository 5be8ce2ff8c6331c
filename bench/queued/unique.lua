-- POST the anchors' text-message webhook (../wrk/body.json) with a message id that is new on every
-- request and a user drawn from USERS users, so that queued delivery accepts (and then delivers) every
-- request instead of acknowledging duplicates, and per-person order does not put everything behind
-- one user. No signature: the servers under test run without AppSecret (HMAC-SHA256 per request is
-- not practical in wrk's Lua; see README.md). Prints one RESULT line, like ../wrk/post.lua.
--   BODY      the template (default ../wrk/body.json beside this script's folder, or body.json)
--   RUN_ID    a token unique to this wrk run (ids must not repeat across runs against one store)
--   USERS     distinct users (default 10000)
--   DELAY_MS  optional pause before each request on a connection, as in ../wrk/post.lua
--   MAX_REQUESTS  optional: each thread stops sending after its share (MAX_REQUESTS / threads, rounded up) of answers
--                 (wrk itself still runs for its whole -d)
local f = assert(io.open(os.getenv("BODY") or "body.json", "rb"))
local template = f:read("*a")
f:close()

local users = tonumber(os.getenv("USERS") or "") or 10000
local run_id = os.getenv("RUN_ID") or tostring(os.time())

-- Split the template around the message id and the user's number (contacts[0].wa_id and messages[0].from).
local message_id = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
local user = "16505551234"
local function cut(s, what)
  local i, j = string.find(s, what, 1, true)
  assert(i, "template lacks " .. what)
  return string.sub(s, 1, i - 1), string.sub(s, j + 1)
end
local p1, rest = cut(template, '"wa_id":"' .. user .. '"')
local p2, rest2 = cut(rest, '"from":"' .. user .. '","id":"' .. message_id .. '"')
local p3 = rest2

local next_thread = 1
local threads = {}
function setup(thread)
  thread:set("thread_no", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

local max_requests = tonumber(os.getenv("MAX_REQUESTS") or "")
if max_requests then
  local answered = 0
  local share
  function response(status, headers, body)
    share = share or math.ceil(max_requests / thread_count)
    answered = answered + 1
    if answered >= share then
      wrk.thread:stop()
    end
  end
end

local counter = 0
local prefix
local headers = { ["Content-Type"] = "application/json" }
function init(args)
  thread_count = tonumber(os.getenv("THREADS") or "") or 2
  prefix = "wamid.bench-" .. run_id .. "-" .. tostring(thread_no) .. "-"
  math.randomseed(os.time() + (thread_no or 0) * 7919)
end

function request()
  counter = counter + 1
  local u = tostring(250700000000 + (counter * 7919 + (thread_no or 0) * 104729) % users)
  headers["X-User"] = u
  local body = p1 .. '"wa_id":"' .. u .. '"' .. p2 .. '"from":"' .. u .. '","id":"' .. prefix .. counter .. '"' .. p3
  return wrk.format("POST", nil, headers, body)
end

local pause = tonumber(os.getenv("DELAY_MS") or "")
if pause and pause > 0 then
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
