-- wrk script: cycles through the request paths of a file and prints one
-- Markdown row.   LABEL=... wrk ... -s scripts/bench/paths.lua URL -- PATHS_FILE
local paths, counter = {}, 0
local label = os.getenv("LABEL") or ""

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  counter = math.random(#paths)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("| %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %d |\n",
    label, summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, errors))
end
