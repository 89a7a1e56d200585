-- wrk script for scripts/bench_http: one endpoint per run, chosen by BENCH_ENDPOINT
-- (healthz | detail | list | match). Prints one "RESULT key=value ..." line at the end,
-- with the non-2xx responses counted across all threads (wrk itself counts only >= 400).

local endpoint = os.getenv("BENCH_ENDPOINT")
-- The builders, next to this script (wrk runs it from the repository's root).
local reads = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "reads.lua")

local function build_requests()
  if endpoint == "healthz" or endpoint == "list" or endpoint == "match" then
    return reads[endpoint]()
  elseif endpoint == "detail" then
    return reads.detail(reads.ids())
  end
  error("BENCH_ENDPOINT must be healthz, detail, list or match, not " .. tostring(endpoint))
end

local threads = reads.numbered_threads()

function init(args)
  requests_built = build_requests()
  -- Each thread starts at its own place in the rotation.
  next_index = (id * 7) % #requests_built
  non2xx = 0
end

function request()
  next_index = next_index % #requests_built + 1
  return requests_built[next_index]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local non2xx_total = 0
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + thread:get("non2xx")
  end
  io.write("RESULT " .. reads.totals(summary, latency) .. " non2xx=" .. non2xx_total .. "\n")
end
