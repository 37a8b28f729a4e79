-- The load runs' data, for a PostgreSQL database that book-server has migrated to
-- head and that holds nothing yet: 200 authors, 50 tags, 2,000 books with 3 tags each.
-- Deterministic: the same rows (ids 1..N) every time.
BEGIN;
INSERT INTO authors (name, email, created_at)
    SELECT 'Author ' || i, 'author' || i || '@example.org', TIMESTAMP '2026-01-01' FROM generate_series(1, 200) AS i;
INSERT INTO tags (name) SELECT 'tag' || i FROM generate_series(1, 50) AS i;
INSERT INTO books (title, author_id, published_on, pages, price, in_print)
    SELECT 'Book ' || i, 1 + i % 200, DATE '1950-01-01' + i * 7, 100 + i % 400, 5 + i % 30 + 0.99, i % 10 <> 0
    FROM generate_series(1, 2000) AS i;
INSERT INTO book_tags (book_id, tag_id)
    SELECT b.id, 1 + (b.id + k) % 50 FROM books AS b CROSS JOIN (VALUES (0), (17), (33)) AS offsets(k);
COMMIT;
ANALYZE;
