import { formatCount, formatMs, formatPercent, startOfUtcDay } from '../shared/format.js';
import { useLoad } from '../shared/hooks.js';
import { Async } from '../shared/ui.js';
import { UsageCharts, WebhookSuccessChart } from '../shared/usage-charts.js';
import { useConsoleTitle, useSession } from './session.js';

export function OverviewPage() {
  useConsoleTitle('Overview');
  const { client } = useSession();
  const today = useLoad(async () => {
    const from = startOfUtcDay();
    const [traffic, webhooks] = await Promise.all([
      client.admin.usage.overview({ query: { from, limit: 1 } }),
      client.admin.webhookStats.get({ query: { granularity: 'hour', from } }),
    ]);
    return { traffic: traffic.totals, webhooks: webhooks.totals };
  }, []);
  const traffic = useLoad(() => client.admin.usage.series({ query: { granularity: 'hour' } }), []);
  const webhooks = useLoad(() => client.admin.webhookStats.get({ query: { granularity: 'hour' } }), []);

  return (
    <>
      <h1>Overview</h1>
      <section aria-labelledby="today-heading">
        <h2 id="today-heading">Today (since 00:00 UTC)</h2>
        <Async value={today} what="today’s figures">
          {({ traffic: t, webhooks: w }) => (
            <dl class="stats">
              <div>
                <dt>Requests</dt>
                <dd>{formatCount(t.requests)}</dd>
              </div>
              <div>
                <dt>Rate limited (429)</dt>
                <dd>{formatCount(t.rate_limited)}</dd>
              </div>
              <div>
                <dt>Error rate (4xx and 5xx)</dt>
                <dd>{formatPercent(t.status_4xx + t.status_5xx, t.requests)}</dd>
              </div>
              <div>
                <dt>Server errors (5xx)</dt>
                <dd>{formatCount(t.status_5xx)}</dd>
              </div>
              <div>
                <dt>Latency p95</dt>
                <dd>{formatMs(t.latency_ms.p95)}</dd>
              </div>
              <div>
                <dt>Webhook success rate</dt>
                <dd>{formatPercent(w.delivered, w.attempts)}</dd>
              </div>
            </dl>
          )}
        </Async>
      </section>
      <section aria-labelledby="traffic-heading">
        <h2 id="traffic-heading">Requests, last 24 hours</h2>
        <UsageCharts usage={traffic} who="anyone" />
      </section>
      <section aria-labelledby="webhooks-heading">
        <h2 id="webhooks-heading">Webhooks, last 24 hours</h2>
        <WebhookSuccessChart stats={webhooks} who="any endpoint" />
      </section>
    </>
  );
}
