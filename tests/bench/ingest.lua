-- wrk script for bench_ingest.py: every request a new report id, from a machine no other
-- request of the run uses. Arguments (after `--`): the body template file, the run number,
-- then either `new TOKEN` (each request a new machine, enrolling with the token) or
-- `enrolled FIRST COUNT` (machines seeded by the bench, each sending its own credential:
-- seed-NNNNNNNN with credential avrm_bench + N in 33 digits; FIRST is where this run
-- starts, each wrk thread taking its own block of machines after it).
-- The template's @RID@, @MID@ and @HOST@ become the report id, machine id and computer name;
-- done() prints one JSON line the bench reads.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_number", #threads)
end

local BLOCK = 20000
local template, run, mode, first, count
local counter = 0

function init(args)
   local file = assert(io.open(args[1], "rb"))
   template = file:read("*a")
   file:close()
   run, mode = tonumber(args[2]), args[3]
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   if mode == "new" then
      wrk.headers["Authorization"] = "Bearer " .. args[4]
   else
      first, count = tonumber(args[4]), tonumber(args[5])
   end
end

function request()
   counter = counter + 1
   local rid = string.format("%04x%04x-0000-4000-%s-%012x", run, thread_number,
                             mode == "new" and "8000" or "9000", counter)
   local mid, host, headers
   if mode == "new" then
      mid = rid
      host = string.format("U%04d-%X%02X%05X", counter % 1000 + 1, run, thread_number, counter)
   else
      -- Each wrk thread takes its own block of BLOCK seeded machines from FIRST on.
      local n = (first + (thread_number - 1) * BLOCK + counter - 1) % count
      mid = string.format("seed-%08d", n)
      host = string.format("U%04d-S%06d", n % 1000 + 1, n)
      headers = {["Authorization"] = string.format("Bearer avrm_bench%033d", n)}
      for name, value in pairs(wrk.headers) do headers[name] = value end
   end
   local body = template:gsub("@RID@", rid):gsub("@MID@", mid):gsub("@HOST@", host)
   return wrk.format(nil, nil, headers, body)
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      '{"requests": %d, "seconds": %.3f, "errors": %d, "p50_ms": %.2f, "p99_ms": %.2f, ' ..
      '"max_ms": %.2f}\n',
      summary.requests, summary.duration / 1e6,
      errors.status + errors.connect + errors.read + errors.write + errors.timeout,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
