import { formatCount, formatMs, formatPercent, startOfUtcDay } from '../shared/format.js';
import { useLoad } from '../shared/hooks.js';
import { Async } from '../shared/ui.js';
import { useConsoleTitle, useSession } from './session.js';

export function OverviewPage() {
  useConsoleTitle('Overview');
  const { client } = useSession();
  const today = useLoad(() => client.admin.usage.overview({ query: { from: startOfUtcDay(), limit: 5 } }), []);

  return (
    <>
      <h1>Overview</h1>
      <section aria-labelledby="today-heading">
        <h2 id="today-heading">Today (since 00:00 UTC)</h2>
        <Async value={today} what="today’s figures">
          {({ totals }) => (
            <dl class="stats">
              <div>
                <dt>Requests</dt>
                <dd>{formatCount(totals.requests)}</dd>
              </div>
              <div>
                <dt>Rate limited (429)</dt>
                <dd>{formatCount(totals.rate_limited)}</dd>
              </div>
              <div>
                <dt>Error rate (4xx and 5xx)</dt>
                <dd>{formatPercent(totals.status_4xx + totals.status_5xx, totals.requests)}</dd>
              </div>
              <div>
                <dt>Server errors (5xx)</dt>
                <dd>{formatCount(totals.status_5xx)}</dd>
              </div>
              <div>
                <dt>Latency p95</dt>
                <dd>{formatMs(totals.latency_ms.p95)}</dd>
              </div>
            </dl>
          )}
        </Async>
      </section>
    </>
  );
}
