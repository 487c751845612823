import { useState } from 'preact/hooks';
import { formatMs, formatTime } from '../shared/format.js';
import { usePaged } from '../shared/hooks.js';
import { PagedList } from '../shared/ui.js';
import { ConsumerSelect, useConsumerNames } from './consumer-select.js';
import { DeliveryStatus } from '../shared/delivery-status.js';
import { DisabledSubscriptions } from './disabled-subscriptions.js';
import { useConsoleTitle, useSession } from './session.js';

export function WebhooksPage() {
  useConsoleTitle('Webhooks');
  const { client } = useSession();
  const names = useConsumerNames();
  const [failuresOnly, setFailuresOnly] = useState(false);
  const [consumer, setConsumer] = useState('');
  const attempts = usePaged(
    (cursor) =>
      client.admin.webhooks.deliveries({
        query: { limit: 50, cursor, ...(failuresOnly ? { status: 'failed' as const } : {}), ...(consumer ? { consumer_id: consumer } : {}) },
      }),
    [failuresOnly, consumer],
  );

  return (
    <>
      <h1>Webhooks</h1>
      <DisabledSubscriptions names={names} />
      <section aria-labelledby="attempts-heading">
        <h2 id="attempts-heading">Recent attempts</h2>
        <div class="toolbar row">
          <ConsumerSelect id="attempts-consumer" value={consumer} onChange={setConsumer} names={names} />
          <label>
            <input type="checkbox" checked={failuresOnly} onChange={(e) => setFailuresOnly((e.currentTarget as HTMLInputElement).checked)} /> Failures only
          </label>
        </div>
        <PagedList list={attempts} what="delivery attempts" empty={failuresOnly ? 'No failed attempt.' : 'No webhook has been sent yet.'}>
          {(rows) => (
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">Delivery attempts across consumers, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Consumer</th>
                    <th scope="col">Event type</th>
                    <th scope="col" class="num">Attempt</th>
                    <th scope="col">Outcome</th>
                    <th scope="col" class="num">Response</th>
                    <th scope="col" class="num">Latency</th>
                    <th scope="col">Target</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((d) => (
                    <tr key={d.id}>
                      <td>{formatTime(d.attempted_at)}</td>
                      <td>
                        <a href={`/console/consumers/${d.consumer_id}`}>{names.get(d.consumer_id) ?? d.consumer_id.slice(0, 8)}</a>
                      </td>
                      <td class="mono">{d.event_type}</td>
                      <td class="num">{d.attempt}</td>
                      <td>
                        <DeliveryStatus status={d.status} error={d.error_message} />
                      </td>
                      <td class="num">{d.response_code ?? '—'}</td>
                      <td class="num">{formatMs(d.latency_ms)}</td>
                      <td class="mono">{d.target_url}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </PagedList>
      </section>
    </>
  );
}
