-- The customers merged into one (their signed consent forms and timeline events are that
-- person's): looked up by `merged_into`, which only merged duplicates carry.
CREATE INDEX customers_merged_into ON customers(merged_into) WHERE merged_into IS NOT NULL;
