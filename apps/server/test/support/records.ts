// Record bodies the tests send in bulk.

/** `n` interaction events of type `viewed`, subjects `<tag>-<i>`, by actor `tag`. */
export function viewedEvents(n: number, tag: string, occurredAt = '2026-11-25T10:00:00Z') {
  return Array.from({ length: n }, (_, i) => ({ event_type: 'viewed', subject_id: `${tag}-${i}`, actor_id: tag, occurred_at: occurredAt }));
}
