-- The read requests scripts/bench_http loads one at a time and scripts/fault_drill mixes:
-- dofile() it from a wrk script; it returns the builders (each returns a list of requests,
-- wrk.format, to send in turn), totals and numbered_threads.

local reads = {}

-- The filtered list the issue names: qualified, treating sciatica, 25 km of downtown Vancouver.
reads.LIST_PATH =
  "/api/v1/practitioners/?condition=sciatica&near=49.2827,-123.1207&radius_km=25&qualified=true"

-- Match requests vary the condition and the city; Vancouver holds a third of the demo
-- practitioners, so it appears most.
reads.CONDITIONS = { "sciatica", "back-pain", "neck-pain", "headache", "shoulder-pain", "fibromyalgia" }
reads.PLACES = {
  { 49.2827, -123.1207 }, -- Vancouver
  { 43.6532, -79.3832 },  -- Toronto
  { 49.2827, -123.1207 },
  { 51.0447, -114.0719 }, -- Calgary
  { 49.2827, -123.1207 },
  { 45.5017, -73.5673 },  -- Montréal
  { 49.2827, -123.1207 },
}

-- The practitioner ids in BENCH_IDS (comma-separated), in order.
function reads.ids()
  local ids = {}
  for id in string.gmatch(os.getenv("BENCH_IDS") or "", "%d+") do
    ids[#ids + 1] = id
  end
  assert(#ids > 0, "BENCH_IDS is empty")
  return ids
end

function reads.healthz()
  return { wrk.format("GET", "/healthz") }
end

function reads.detail(ids)
  local built = {}
  for i, id in ipairs(ids) do
    built[i] = wrk.format("GET", "/api/v1/practitioners/" .. id .. "/")
  end
  return built
end

function reads.list()
  return { wrk.format("GET", reads.LIST_PATH) }
end

function reads.match()
  local built = {}
  local headers = { ["Content-Type"] = "application/json" }
  for _, condition in ipairs(reads.CONDITIONS) do
    for _, place in ipairs(reads.PLACES) do
      local body = string.format(
        '{"condition":"%s","location":{"lat":%s,"lng":%s},"radius_km":25}',
        condition, place[1], place[2])
      built[#built + 1] = wrk.format("POST", "/api/v1/match/", headers, body)
    end
  end
  return built
end

-- wrk's figures for a whole run as "key=value" pairs: requests, req/s, latency percentiles
-- in ms, and socket errors (in all, then by kind).
function reads.totals(summary, latency)
  local errors = summary.errors
  return string.format(
    "requests=%d rps=%.1f p50=%.1f p95=%.1f p99=%.1f socket_errors=%d "
      .. "connect=%d read=%d write=%d timeout=%d",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors.connect + errors.read + errors.write + errors.timeout,
    errors.connect, errors.read, errors.write, errors.timeout)
end

-- Defines wrk's setup(): each thread gets its number as the global `id` (0, 1, ...) and
-- joins the list returned, from which done() reads what the threads counted.
function reads.numbered_threads()
  local threads = {}
  function setup(thread)
    thread:set("id", #threads)
    threads[#threads + 1] = thread
  end
  return threads
end

return reads
