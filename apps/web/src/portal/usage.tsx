import { formatCount, formatTime } from '../shared/format.js';
import { useLoad } from '../shared/hooks.js';
import { UsageCharts, WebhookSuccessChart } from '../shared/usage-charts.js';
import { usePortalTitle, useSession } from './session.js';

/** The consumer's own usage (last 24 hours) and its current limits. */
export function UsagePage() {
  usePortalTitle('Usage');
  const { client, me } = useSession();
  const usage = useLoad(() => client.usage.get({ query: { granularity: 'hour' } }), []);
  const webhooks = useLoad(() => client.webhookStats.get({ query: { granularity: 'hour' } }), []);
  const { limits, quota } = me;
  return (
    <section aria-labelledby="usage-heading">
      <h1 id="usage-heading">Usage</h1>
      <h2>Current limits</h2>
      <dl class="stats">
        <div>
          <dt>Requests per minute</dt>
          <dd>{formatCount(limits.rate_limit_per_minute)}</dd>
        </div>
        <div>
          <dt>Burst (per {limits.burst_window_seconds} s)</dt>
          <dd>{formatCount(limits.burst_threshold)}</dd>
        </div>
        <div>
          <dt>Daily quota</dt>
          <dd>{formatCount(limits.quota_per_day)}</dd>
        </div>
        <div>
          <dt>Used today</dt>
          <dd>{formatCount(quota.used_today)}</dd>
        </div>
      </dl>
      <p class="status-line">The daily quota resets {formatTime(quota.resets_at)}.</p>
      <h2>Last 24 hours</h2>
      <UsageCharts usage={usage} who="your keys" />
      <WebhookSuccessChart stats={webhooks} who="your endpoints" />
    </section>
  );
}
