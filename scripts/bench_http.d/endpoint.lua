-- wrk script for scripts/bench_http: one endpoint per run, chosen by BENCH_ENDPOINT
-- (healthz | detail | list | match). Prints one "RESULT key=value ..." line at the end,
-- with the non-2xx responses counted across all threads (wrk itself counts only >= 400).

local endpoint = os.getenv("BENCH_ENDPOINT")
local ids = {}
for id in string.gmatch(os.getenv("BENCH_IDS") or "", "%d+") do
  ids[#ids + 1] = id
end

-- The filtered list the issue names: qualified, treating sciatica, 25 km of downtown Vancouver.
local LIST_PATH =
  "/api/v1/practitioners/?condition=sciatica&near=49.2827,-123.1207&radius_km=25&qualified=true"

-- Match requests vary the condition and the city; Vancouver holds a third of the demo
-- practitioners, so it appears most.
local CONDITIONS = { "sciatica", "back-pain", "neck-pain", "headache", "shoulder-pain", "fibromyalgia" }
local PLACES = {
  { 49.2827, -123.1207 }, -- Vancouver
  { 43.6532, -79.3832 },  -- Toronto
  { 49.2827, -123.1207 },
  { 51.0447, -114.0719 }, -- Calgary
  { 49.2827, -123.1207 },
  { 45.5017, -73.5673 },  -- Montréal
  { 49.2827, -123.1207 },
}

local function build_requests()
  local built = {}
  if endpoint == "healthz" then
    built[1] = wrk.format("GET", "/healthz")
  elseif endpoint == "detail" then
    assert(#ids > 0, "BENCH_IDS is empty")
    for i, id in ipairs(ids) do
      built[i] = wrk.format("GET", "/api/v1/practitioners/" .. id .. "/")
    end
  elseif endpoint == "list" then
    built[1] = wrk.format("GET", LIST_PATH)
  elseif endpoint == "match" then
    local headers = { ["Content-Type"] = "application/json" }
    for _, condition in ipairs(CONDITIONS) do
      for _, place in ipairs(PLACES) do
        local body = string.format(
          '{"condition":"%s","location":{"lat":%s,"lng":%s},"radius_km":25}',
          condition, place[1], place[2])
        built[#built + 1] = wrk.format("POST", "/api/v1/match/", headers, body)
      end
    end
  else
    error("BENCH_ENDPOINT must be healthz, detail, list or match, not " .. tostring(endpoint))
  end
  return built
end

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

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
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50=%.1f p95=%.1f p99=%.1f non2xx=%d socket_errors=%d "
      .. "(connect=%d read=%d write=%d timeout=%d)\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    non2xx_total, errors.connect + errors.read + errors.write + errors.timeout,
    errors.connect, errors.read, errors.write, errors.timeout))
end
