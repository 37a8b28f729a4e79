-- GET /books/:id for a random id of the 2,000 seeded books.
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
    return wrk.format("GET", "/books/" .. math.random(1, 2000))
end
