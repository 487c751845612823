import { useState } from 'preact/hooks';
import { usePaged } from '../shared/hooks.js';
import { PagedList } from '../shared/ui.js';
import { SubscriptionRow } from './consumer-subscriptions.js';
import { useSession } from './session.js';

/** Subscriptions that stopped receiving (kept failing, or answered 410), across consumers. */
export function DisabledSubscriptions({ names }: { names: Map<string, string> }) {
  const { client } = useSession();
  const [said, setSaid] = useState('');
  const disabled = usePaged((cursor) => client.admin.webhookSubscriptions.list({ query: { state: 'disabled', limit: 50, cursor } }), []);
  return (
    <section aria-labelledby="disabled-heading">
      <h2 id="disabled-heading">Disabled subscriptions</h2>
      <p role="status" class="status-line">
        {said}
      </p>
      <PagedList list={disabled} what="disabled subscriptions" empty="No subscription is disabled: every endpoint is receiving.">
        {(rows) => (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Disabled subscriptions and why</caption>
              <thead>
                <tr>
                  <th scope="col">Target</th>
                  <th scope="col">Consumer</th>
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
                    owner={<a href={`/console/consumers/${s.consumer_id}`}>{names.get(s.consumer_id) ?? s.consumer_id.slice(0, 8)}</a>}
                    onChanged={(message) => {
                      setSaid(message);
                      disabled.reload();
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
