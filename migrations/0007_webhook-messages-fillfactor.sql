-- Up Migration
-- Every delivery attempt updates its webhook_messages row twice (the claim sets
-- attempts and last_attempt_at, the outcome sets state). Rows are inserted densely by
-- the fan-out, so with the default fillfactor (100) neither update found room on its
-- page: each wrote the new row version elsewhere and a new entry into all three of the
-- table's indexes. With room left on every page the updates stay on the page and touch
-- no index (HOT updates; none of the updated columns is indexed). Measured on a drain of
-- 6,000 deliveries: PostgreSQL time in the claim statement 167 -> 118 ms, in the logging
-- of successes 331 -> 265 ms.
ALTER TABLE webhook_messages SET (fillfactor = 60);

-- Down Migration
ALTER TABLE webhook_messages RESET (fillfactor);
