-- wrk script for bench/auth-flood.sh: every request carries basic-auth credentials with a password never sent
-- before (the worst case for the server: none can be answered from what it remembers).
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(text)
  local out = {}
  for i = 1, #text, 3 do
    local a, b, c = text:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local digits = { math.floor(n / 262144) % 64, math.floor(n / 4096) % 64, math.floor(n / 64) % 64, n % 64 }
    local keep = b == nil and 2 or (c == nil and 3 or 4)
    for j = 1, 4 do
      out[#out + 1] = j <= keep and alphabet:sub(digits[j] + 1, digits[j] + 1) or "="
    end
  end
  return table.concat(out)
end

local user = os.getenv("FLOOD_USER") or "prometheus"
local sent = 0
local prefix = tostring(math.random(1, 1000000000))

request = function()
  sent = sent + 1
  return wrk.format("GET", "/metrics", { Authorization = "Basic " .. base64(user .. ":wrong-" .. prefix .. "-" .. sent) })
end
