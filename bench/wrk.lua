-- wrk script for bench/run.sh.
--   Without COOKIES: sends wrk's own request (URL and -H headers) every time.
--   With COOKIES=<file> (one session cookie value a line) and COOKIE_NAME (default bit_session): every request
--   carries the next cookie, thread t of T taking cookies t, t+T, t+2T, ..., so all of them are used once the
--   run has sent as many requests as there are cookies.
-- done() prints one machine-readable line: RESULT requests=… rps=… p50_us=… p99_us=… non2xx=… socket_errors=…

local cookie_file = os.getenv("COOKIES")
local cookie_name = os.getenv("COOKIE_NAME") or "bit_session"
local cookies = {}
local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   count = 0
   if cookie_file and cookie_file ~= "" then
      for line in io.lines(cookie_file) do
         if #line > 0 then cookies[#cookies + 1] = line end
      end
      nthreads = tonumber(os.getenv("WRK_THREADS") or "1")
      pos = tid
   end
end

if cookie_file and cookie_file ~= "" then
   request = function()
      local c = cookies[(pos % #cookies) + 1]
      pos = pos + nthreads
      count = count + 1
      return wrk.format(nil, nil, { ["Cookie"] = cookie_name .. "=" .. c })
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   local sent, distinct = 0, 0
   local n = 0
   if cookie_file and cookie_file ~= "" then
      for line in io.lines(cookie_file) do if #line > 0 then n = n + 1 end end
      local per = math.ceil(n / #threads)
      for _, t in ipairs(threads) do
         local c = t:get("count") or 0
         sent = sent + c
         distinct = distinct + math.min(c, per)
      end
      distinct = math.min(distinct, n)
   end
   io.write(string.format(
      "RESULT requests=%d duration_s=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d socket_errors=%d distinct_sessions=%d\n",
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      e.status, e.connect + e.read + e.write + e.timeout, distinct))
end
