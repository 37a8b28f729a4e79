-- seed.sql for SQLite: the same rows, for a database that book-server has migrated to
-- head and that holds nothing yet (dates and times as Retort writes them: text).
BEGIN;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 200)
INSERT INTO authors (name, email, created_at) SELECT 'Author ' || i, 'author' || i || '@example.org', '2026-01-01 00:00:00' FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 50)
INSERT INTO tags (name) SELECT 'tag' || i FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2000)
INSERT INTO books (title, author_id, published_on, pages, price, in_print)
    SELECT 'Book ' || i, 1 + i % 200, date('1950-01-01', '+' || (i * 7) || ' days'), 100 + i % 400, 5 + i % 30 + 0.99, i % 10 <> 0
    FROM s;
INSERT INTO book_tags (book_id, tag_id)
    SELECT b.id, 1 + (b.id + k) % 50 FROM books AS b CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 17 UNION ALL SELECT 33);
COMMIT;
ANALYZE;
