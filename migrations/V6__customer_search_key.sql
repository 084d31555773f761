-- The quick-search key newest first within a term, so a name or pinyin prefix reads its page
-- straight from the key, and a second index that serves "the terms of one customer". V1 first
-- shipped the key ascending; the table is rebuilt whatever order it had.
CREATE TABLE customer_search_v6 (
    term         TEXT NOT NULL,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    PRIMARY KEY (term, customer_id DESC)
) WITHOUT ROWID;
INSERT INTO customer_search_v6 (term, customer_id) SELECT term, customer_id FROM customer_search;
DROP TABLE customer_search;
ALTER TABLE customer_search_v6 RENAME TO customer_search;
CREATE INDEX customer_search_customer ON customer_search(customer_id, term);
