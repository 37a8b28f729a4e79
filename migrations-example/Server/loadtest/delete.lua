-- DELETE /books/:id, each id once: FIRST_ID, FIRST_ID + 1, … shared out between the
-- wrk threads (run.sh passes FIRST_ID, the first of the spare books the caller seeded,
-- and THREADS). Past the last spare book the answers are 404s, counted as errors.
local first = tonumber(os.getenv("FIRST_ID") or "2001")
local nthreads = tonumber(os.getenv("THREADS") or "2")
local made = 0
setup = function(thread)
    thread:set("tid", made)
    made = made + 1
end
local n = 0
wrk.method = "DELETE"
request = function()
    local id = first + tid + n * nthreads
    n = n + 1
    return wrk.format(nil, "/books/" .. id)
end
