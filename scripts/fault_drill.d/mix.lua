-- wrk script for scripts/fault_drill: a mix of reads and writes, each of which answers 2xx
-- when nothing fails. Run it with as many threads as connections (wrk -t N -c N): a thread
-- then has one connection and one request in flight, so each response belongs to the last
-- request sent, and a request sent again before any response came was lost to a socket error.
--
-- Environment: BENCH_IDS (qualified practitioner ids), DRILL_PATIENT_TOKEN,
-- DRILL_PRACTITIONER_TOKEN and DRILL_CREDENTIAL_ID (scripts/fault_drill.d/accounts.py).
-- Prints per endpoint "ENDPOINT name=... sent=... 2xx=... 4xx=... 500=... 503=... 5xx=...
-- other=... lost=...", then "TOTAL ..." and the first few non-2xx bodies ("SAMPLE ...").

local reads = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./")
  .. "../bench_http.d/reads.lua")

-- One round of the mix, in order: two reads for each write.
local SCHEDULE = {
  "detail", "review", "list", "detail", "match", "bio", "detail", "review", "list",
  "credential", "detail", "match", "detail", "evidence", "list", "detail", "match", "review",
}
local ENDPOINTS = { "detail", "list", "match", "review", "bio", "credential", "evidence" }
local CLASSES = { "2xx", "4xx", "500", "503", "5xx", "other", "lost" }
-- Practitioners the patient reviews in turn: each is reviewed again and again, and every
-- submission after the first replaces the last one (200) with other ratings.
local REVIEWED = 20
local SAMPLES = 3

-- A real, minimal PDF (as tests/directory/test_evidence.py).
local PDF = "%PDF-1.4\n"
  .. "1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
  .. "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
  .. "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
  .. "trailer<</Root 1 0 R>>\n%%EOF\n"

local function token(variable)
  local value = os.getenv(variable)
  assert(value and value ~= "", variable .. " is empty")
  return "Token " .. value
end

local function reviews(ids)
  local built = {}
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = token("DRILL_PATIENT_TOKEN") }
  for round = 0, 4 do
    for i = 1, math.min(REVIEWED, #ids) do
      local stars = (i + round) % 5 + 1
      local body = string.format(
        '{"overall":%d,"communication":%d,"comfort":%d,"would_recommend":%s,"body":"Drill review %d."}',
        stars, (stars + 1) % 5 + 1, (stars + 2) % 5 + 1, stars >= 3 and "true" or "false", round)
      built[#built + 1] = wrk.format("POST", "/api/v1/practitioners/" .. ids[i] .. "/reviews/", headers, body)
    end
  end
  return built
end

local function bios()
  local built = {}
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = token("DRILL_PRACTITIONER_TOKEN") }
  for i = 1, 5 do
    local body = string.format('{"bio":"Drill bio, version %d: IMS for back and neck pain."}', i)
    built[i] = wrk.format("PATCH", "/api/v1/me/", headers, body)
  end
  return built
end

-- A multipart body: the fields given (a list of {name, value}), then the PDF as "evidence".
local BOUNDARY = "ims-fault-drill-7MA4YWxkTrZu0gW"
local function with_evidence(fields)
  local body = ""
  for _, field in ipairs(fields) do
    body = body .. "--" .. BOUNDARY .. "\r\nContent-Disposition: form-data; name=\"" .. field[1]
      .. "\"\r\n\r\n" .. field[2] .. "\r\n"
  end
  return body .. "--" .. BOUNDARY .. "\r\nContent-Disposition: form-data; name=\"evidence\"; "
    .. "filename=\"certificate.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" .. PDF .. "\r\n"
    .. "--" .. BOUNDARY .. "--\r\n"
end

local function practitioner_multipart()
  return {
    ["Content-Type"] = "multipart/form-data; boundary=" .. BOUNDARY,
    ["Authorization"] = token("DRILL_PRACTITIONER_TOKEN"),
  }
end

-- New credentials, each with its evidence.
local function credentials()
  local body = with_evidence({ { "kind", "ims_certification" }, { "issuer", "iSTOP" }, { "issued_on", "2012-06-15" } })
  return { wrk.format("POST", "/api/v1/me/credentials/", practitioner_multipart(), body) }
end

-- One credential's evidence replaced again and again (the replaced file must go).
local function evidence()
  local id = os.getenv("DRILL_CREDENTIAL_ID")
  assert(id and id ~= "", "DRILL_CREDENTIAL_ID is empty")
  return { wrk.format("PATCH", "/api/v1/me/credentials/" .. id .. "/", practitioner_multipart(), with_evidence({})) }
end

local threads = reads.numbered_threads()

function init(args)
  local ids = reads.ids()
  built = {
    detail = reads.detail(ids), list = reads.list(), match = reads.match(),
    review = reviews(ids), bio = bios(), credential = credentials(), evidence = evidence(),
  }
  -- One global number per endpoint and class ("n_detail_2xx"): wrk's thread:get copies
  -- tables unreliably (nested ones not at all), numbers and strings safely.
  turn = {}
  for _, name in ipairs(ENDPOINTS) do
    _G["n_" .. name .. "_sent"] = 0
    for _, class in ipairs(CLASSES) do _G["n_" .. name .. "_" .. class] = 0 end
    -- Each thread starts at its own place in each rotation.
    turn[name] = (id * 7) % #built[name]
  end
  position = id % #SCHEDULE
  pending = nil
  samples = 0
  -- wrk calls request() once more in its first thread, to check the request, and sends
  -- nothing then.
  probe = id == 0
end

local function count(name, class)
  _G["n_" .. name .. "_" .. class] = _G["n_" .. name .. "_" .. class] + 1
end

function request()
  if probe then
    probe = false
    return built.detail[1]
  end
  if pending ~= nil then
    -- Sent again without a response: the last request was lost to a socket error.
    count(pending, "lost")
  end
  position = position % #SCHEDULE + 1
  pending = SCHEDULE[position]
  turn[pending] = turn[pending] % #built[pending] + 1
  count(pending, "sent")
  return built[pending][turn[pending]]
end

local function class_of(status)
  if status >= 200 and status <= 299 then return "2xx" end
  if status >= 400 and status <= 499 then return "4xx" end
  if status == 500 or status == 503 then return tostring(status) end
  if status >= 500 and status <= 599 then return "5xx" end
  return "other"
end

function response(status, headers, body)
  if pending == nil then return end
  local class = class_of(status)
  count(pending, class)
  if class ~= "2xx" and samples < SAMPLES then
    samples = samples + 1
    _G["sample_" .. samples] = string.format("%s %d %s", pending, status, ((body or ""):sub(1, 300):gsub("%s+", " ")))
  end
  pending = nil
end

function done(summary, latency, requests)
  local unfinished = 0
  for _, name in ipairs(ENDPOINTS) do
    local total = { sent = 0 }
    for _, class in ipairs(CLASSES) do total[class] = 0 end
    for _, thread in ipairs(threads) do
      for key in pairs(total) do total[key] = total[key] + thread:get("n_" .. name .. "_" .. key) end
    end
    -- A thread's last request, cut off by the end of the run, is neither answered nor lost.
    for _, thread in ipairs(threads) do
      if thread:get("pending") == name then total.sent = total.sent - 1; unfinished = unfinished + 1 end
    end
    local line = "ENDPOINT name=" .. name .. " sent=" .. total.sent
    for _, class in ipairs(CLASSES) do line = line .. " " .. class .. "=" .. total[class] end
    io.write(line .. "\n")
  end
  io.write("TOTAL " .. reads.totals(summary, latency) .. " unfinished=" .. unfinished .. "\n")
  local printed = 0
  for _, thread in ipairs(threads) do
    for i = 1, thread:get("samples") do
      if printed < SAMPLES then io.write("SAMPLE " .. thread:get("sample_" .. i) .. "\n") end
      printed = printed + 1
    end
  end
end
