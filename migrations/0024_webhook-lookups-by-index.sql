-- Up Migration
-- The reference checks of the day-partitioned webhook tables look rows up by key. A
-- session plans each check once and keeps the plan; planned while the day's partition is
-- small (a fresh database, the first minutes of a day) it scans the partition, and goes on
-- scanning it as the day fills: 13 ms a fan-out at 7,800 events, in a 60 s soak. The
-- checks are keyed lookups whatever the statistics say, so they use the indexes only. JIT
-- stays off: a plan priced with the disabled scan's penalty would cross jit_above_cost and
-- compile for ~300 ms.
ALTER FUNCTION webhook_messages_event_created_at() SET enable_seqscan = off SET jit = off;
ALTER FUNCTION webhook_messages_check_event() SET enable_seqscan = off SET jit = off;
ALTER FUNCTION webhook_messages_guard_event() SET enable_seqscan = off SET jit = off;
ALTER FUNCTION webhook_deliveries_check_references() SET enable_seqscan = off SET jit = off;
ALTER FUNCTION webhook_deliveries_guard_message() SET enable_seqscan = off SET jit = off;

-- Down Migration
ALTER FUNCTION webhook_messages_event_created_at() RESET enable_seqscan RESET jit;
ALTER FUNCTION webhook_messages_check_event() RESET enable_seqscan RESET jit;
ALTER FUNCTION webhook_messages_guard_event() RESET enable_seqscan RESET jit;
ALTER FUNCTION webhook_deliveries_check_references() RESET enable_seqscan RESET jit;
ALTER FUNCTION webhook_deliveries_guard_message() RESET enable_seqscan RESET jit;
