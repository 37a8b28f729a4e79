-- PATCH /books/:id: a random one of the 2,000 seeded books gets a new page count and
-- price (its author and tags stay).
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
request = function()
    local body = string.format('{"pages": %d, "price": %d.50}', math.random(1, 900), math.random(1, 60))
    return wrk.format(nil, "/books/" .. math.random(1, 2000), nil, body)
end
