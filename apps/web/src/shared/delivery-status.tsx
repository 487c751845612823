import { StatusBadge } from './ui.js';

/** An attempt's outcome as a badge, with the sender's error when there was one. */
export function DeliveryStatus({ status, error }: { status: string; error: string | null }) {
  const tone = status === 'delivered' ? 'ok' : status === 'failed' ? 'err' : 'muted';
  return (
    <>
      <StatusBadge tone={tone}>{status === 'delivered' ? 'Delivered' : status === 'failed' ? 'Failed' : 'Pending'}</StatusBadge>
      {error && <div class="status-line">{error}</div>}
    </>
  );
}

/** A subscription's state as a badge: active, paused by its owner, or disabled (and why). */
export function SubscriptionState({ sub }: { sub: { is_active: boolean; disabled_at: string | null; disabled_reason: string | null } }) {
  if (sub.disabled_at) return <StatusBadge tone="err">Disabled{sub.disabled_reason ? `: ${sub.disabled_reason}` : ''}</StatusBadge>;
  if (!sub.is_active) return <StatusBadge tone="warn">Paused</StatusBadge>;
  return <StatusBadge tone="ok">Active</StatusBadge>;
}
