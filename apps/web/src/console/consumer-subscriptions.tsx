import type { AdminWebhookSubscription } from '@ihf/contract';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { SubscriptionState } from '../shared/delivery-status.js';
import { formatTime } from '../shared/format.js';
import { useAction, usePaged } from '../shared/hooks.js';
import { ErrorNotice, PagedList } from '../shared/ui.js';
import { useSession } from './session.js';

/** A consumer's webhook subscriptions with their state, and the operator's re-enable. */
export function ConsumerSubscriptions({ consumerId }: { consumerId: string }) {
  const { client } = useSession();
  const [said, setSaid] = useState('');
  const subs = usePaged(
    (cursor) => client.admin.webhookSubscriptions.listForConsumer({ params: { consumerId }, query: { limit: 100, cursor } }),
    [consumerId],
  );
  return (
    <section aria-labelledby="subscriptions-heading">
      <h2 id="subscriptions-heading">Webhook subscriptions</h2>
      <p role="status" class="status-line">
        {said}
      </p>
      <PagedList list={subs} what="subscriptions" empty="This consumer has no webhook subscriptions.">
        {(rows) => (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Webhook subscriptions</caption>
              <thead>
                <tr>
                  <th scope="col">Target</th>
                  <th scope="col">Event type</th>
                  <th scope="col">State</th>
                  <th scope="col" class="num">Failures in a row</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((s) => (
                  <SubscriptionRow
                    key={s.id}
                    sub={s}
                    onChanged={(message) => {
                      setSaid(message);
                      subs.reload();
                    }}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </PagedList>
    </section>
  );
}

/** One subscription row; also used by the Webhooks page's list of disabled subscriptions. */
export function SubscriptionRow({ sub, onChanged, owner }: { sub: AdminWebhookSubscription; onChanged: (message: string) => void; owner?: ComponentChildren }) {
  const { client } = useSession();
  const reenable = useAction(async () => {
    await client.admin.webhookSubscriptions.update({ params: { subscriptionId: sub.id }, body: { is_active: true } });
    onChanged(`Re-enabled ${sub.target_url}. Its owner can recover the messages it missed.`);
  });
  return (
    <tr>
      <td class="mono">{sub.target_url}</td>
      {owner !== undefined && <td>{owner}</td>}
      <td class="mono">{sub.event_type}</td>
      <td>
        <SubscriptionState sub={sub} />
        {sub.disabled_at && <div class="status-line">since {formatTime(sub.disabled_at)}</div>}
      </td>
      <td class="num">{sub.consecutive_failures}</td>
      <td>{formatTime(sub.created_at)}</td>
      <td>
        {reenable.error !== undefined && <ErrorNotice error={reenable.error} />}
        {sub.state !== 'active' && (
          <button type="button" class="small" disabled={reenable.pending} onClick={() => void reenable.run()}>
            Re-enable
          </button>
        )}
      </td>
    </tr>
  );
}
