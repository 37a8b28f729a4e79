-- POST /books: a new title each time (a counter per wrk thread, with a random run id
-- so that repeated runs never collide on the unique (title, author_id)), 2 tags.
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local run = math.random(1, 1e9)
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
    n = n + 1
    local author = math.random(1, 200)
    local body = string.format(
        '{"title": "Load %d-%d", "authorId": %d, "pages": %d, "price": 9.99, "tags": ["tag%d", "load"]}',
        run, n, author, 100 + n % 300, 1 + n % 50)
    return wrk.format(nil, nil, nil, body)
end
