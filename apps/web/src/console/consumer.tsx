import { formatCount, formatTime } from '../shared/format.js';
import { useLoad } from '../shared/hooks.js';
import { Async, StatusBadge } from '../shared/ui.js';
import { UsageCharts, WebhookSuccessChart } from '../shared/usage-charts.js';
import { ConsumerKeys } from './consumer-keys.js';
import { ConsumerSubscriptions } from './consumer-subscriptions.js';
import { PortalLink } from './portal-link.js';
import { useConsoleTitle, useSession } from './session.js';

export function ConsumerPage({ id }: { id: string }) {
  const { client } = useSession();
  const consumer = useLoad(() => client.admin.consumers.get({ params: { consumerId: id } }), [id]);
  const usage = useLoad(() => client.admin.usage.consumer({ params: { consumerId: id }, query: { granularity: 'hour' } }), [id]);
  const webhooks = useLoad(() => client.admin.webhookStats.get({ query: { granularity: 'hour', consumer_id: id } }), [id]);
  useConsoleTitle(consumer.data?.name ?? 'Consumer');

  return (
    <>
      <p>
        <a href="/console/consumers">← Consumers</a>
      </p>
      <Async value={consumer} what="the consumer">
        {(c) => (
          <>
            <h1>{c.name}</h1>
            {c.description && <p>{c.description}</p>}
            <dl class="stats">
              <div>
                <dt>Tier</dt>
                <dd>{c.tier}</dd>
              </div>
              <div>
                <dt>Per-minute limit</dt>
                <dd>
                  {formatCount(c.rate_limit_per_minute)} <LimitSource override={c.limit_overrides.rate_limit_per_minute} />
                </dd>
              </div>
              <div>
                <dt>Burst</dt>
                <dd>
                  {formatCount(c.burst_threshold)} <LimitSource override={c.limit_overrides.burst_threshold} />
                </dd>
              </div>
              <div>
                <dt>Daily quota</dt>
                <dd>
                  {formatCount(c.quota_per_day)} <LimitSource override={c.limit_overrides.quota_per_day} />
                </dd>
              </div>
              <div>
                <dt>Used today</dt>
                <dd>{formatCount(c.quota_used_today)}</dd>
              </div>
              <div>
                <dt>State</dt>
                <dd>{c.is_active ? <StatusBadge tone="ok">Active</StatusBadge> : <StatusBadge tone="muted">Deactivated</StatusBadge>}</dd>
              </div>
            </dl>
            <p class="status-line">
              Consumer id <code>{c.id}</code>, created {formatTime(c.created_at)}.
            </p>
          </>
        )}
      </Async>
      <section aria-labelledby="usage-heading">
        <h2 id="usage-heading">Usage, last 24 hours</h2>
        <UsageCharts usage={usage} who="this consumer" />
        <WebhookSuccessChart stats={webhooks} who="this consumer’s endpoints" />
      </section>
      <ConsumerKeys consumerId={id} />
      <ConsumerSubscriptions consumerId={id} />
      <PortalLink consumerId={id} />
    </>
  );
}

/** Whether a limit is the consumer's own or its tier's default. */
function LimitSource({ override }: { override: number | null }) {
  return <small>{override === null ? '(tier default)' : '(override)'}</small>;
}
