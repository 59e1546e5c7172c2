-- wrk script for bench_ingest.py: every request is a new machine with a new report id.
-- Arguments (after `--`): the body template file, the run number, the enrollment token.
-- The template's @ID@ becomes a UUID and @HOST@ a computer name, unique per run, wrk thread
-- and request; done() prints one JSON line the bench reads.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_number", #threads)
end

local template, run
local counter = 0

function init(args)
   local file = assert(io.open(args[1], "rb"))
   template = file:read("*a")
   file:close()
   run = tonumber(args[2])
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Authorization"] = "Bearer " .. args[3]
end

function request()
   counter = counter + 1
   local id = string.format("%04x%04x-0000-4000-8000-%012x", run, thread_number, counter)
   local host = string.format("U%04d-%X%02X%05X", counter % 1000 + 1, run, thread_number,
                              counter)
   local body = template:gsub("@ID@", id):gsub("@HOST@", host)
   return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      '{"requests": %d, "seconds": %.3f, "errors": %d, "p50_ms": %.2f, "p99_ms": %.2f}\n',
      summary.requests, summary.duration / 1e6,
      errors.status + errors.connect + errors.read + errors.write + errors.timeout,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
