import type { WebhookDelivery } from '@ihf/contract';
import { useEffect, useState } from 'preact/hooks';
import { DeliveryStatus } from '../shared/delivery-status.js';
import { formatMs, formatTime, isoToLocalInput, localInputToIso } from '../shared/format.js';
import { useAction, usePaged } from '../shared/hooks.js';
import { ErrorNotice, PagedList } from '../shared/ui.js';
import { useSession } from './session.js';

/** How long the list keeps looking for the attempt of a test event or a redelivery. */
const FOLLOW_MS = 20_000;

/** An endpoint's delivery attempts, newest first, with Redeliver and Recover. */
export function Attempts({ subscriptionId, sent, onSent }: { subscriptionId: string; sent: number; onSent: () => void }) {
  const { client } = useSession();
  const [failuresOnly, setFailuresOnly] = useState(false);
  const [said, setSaid] = useState('');
  const attempts = usePaged(
    (cursor) =>
      client.webhookSubscriptions.listDeliveries({
        params: { id: subscriptionId },
        query: { limit: 50, cursor, ...(failuresOnly ? { status: 'failed' as const } : {}) },
      }),
    [subscriptionId, failuresOnly],
  );

  // After a send, refresh every second for a while: the attempt is made by the webhook worker.
  useEffect(() => {
    if (sent === 0) return;
    const until = Date.now() + FOLLOW_MS;
    const timer = setInterval(() => (Date.now() > until ? clearInterval(timer) : attempts.reload()), 1000);
    return () => clearInterval(timer);
  }, [sent]);

  const redeliver = useAction(async (d: WebhookDelivery) => {
    const queued = await client.webhookSubscriptions.redeliver({ params: { id: subscriptionId, deliveryId: d.id } });
    setSaid(`Message ${queued.message_id} queued for another attempt.`);
    onSent();
  });

  return (
    <section aria-labelledby="attempts-heading">
      <h2 id="attempts-heading">Attempts</h2>
      <div class="toolbar">
        <label>
          <input type="checkbox" checked={failuresOnly} onChange={(e) => setFailuresOnly((e.currentTarget as HTMLInputElement).checked)} /> Failures only
        </label>
        <button type="button" class="secondary small" onClick={attempts.reload}>
          Refresh
        </button>
      </div>
      <p role="status" class="status-line">
        {said}
      </p>
      {redeliver.error !== undefined && <ErrorNotice error={redeliver.error} />}
      <PagedList list={attempts} what="attempts" empty={failuresOnly ? 'No failed attempt.' : 'Nothing has been sent to this endpoint yet. Send a test event to try it.'}>
        {(rows) => (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Delivery attempts, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Message</th>
                  <th scope="col" class="num">Attempt</th>
                  <th scope="col">Outcome</th>
                  <th scope="col" class="num">Response</th>
                  <th scope="col" class="num">Latency</th>
                  <th scope="col">Response body</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr key={d.id}>
                    <td>{formatTime(d.attempted_at)}</td>
                    <td class="mono">{d.message_id}</td>
                    <td class="num">{d.attempt}</td>
                    <td>
                      <DeliveryStatus status={d.status} error={d.error_message} />
                    </td>
                    <td class="num">{d.response_code ?? '—'}</td>
                    <td class="num">{formatMs(d.latency_ms)}</td>
                    <td class="mono">{d.response_body ? d.response_body.slice(0, 200) : '—'}</td>
                    <td>
                      <button type="button" class="secondary small" disabled={redeliver.pending} onClick={() => void redeliver.run(d)}>
                        Redeliver
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </PagedList>
      <RecoverForm subscriptionId={subscriptionId} onSent={onSent} />
    </section>
  );
}

function RecoverForm({ subscriptionId, onSent }: { subscriptionId: string; onSent: () => void }) {
  const { client } = useSession();
  const [since, setSince] = useState(() => isoToLocalInput(new Date(Date.now() - 24 * 3600_000)));
  const [said, setSaid] = useState('');
  const recover = useAction(async () => {
    const iso = localInputToIso(since);
    if (!iso) return;
    const result = await client.webhookSubscriptions.recover({ params: { id: subscriptionId }, body: { since: iso } });
    setSaid(result.queued === 0 ? 'Nothing to recover: every message since then was delivered.' : `${result.queued} undelivered messages queued for one more attempt.`);
    if (result.queued > 0) onSent();
  });
  return (
    <form
      class="panel"
      aria-labelledby="recover-heading"
      onSubmit={(e) => {
        e.preventDefault();
        void recover.run();
      }}
    >
      <h3 id="recover-heading">Recover missed messages</h3>
      <p class="status-line">Sends once more every message since a time that was not delivered (at most 14 days back).</p>
      {recover.error !== undefined && <ErrorNotice error={recover.error} />}
      <div class="row">
        <div class="field">
          <label for="recover-since">Since</label>
          <input id="recover-since" type="datetime-local" required value={since} onInput={(e) => setSince((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <button type="submit" disabled={recover.pending}>
          Recover
        </button>
      </div>
      <p role="status" class="status-line">
        {said}
      </p>
    </form>
  );
}
