import { EVENT_TOPICS, type EventTopic } from '@ihf/contract';
import { useState } from 'preact/hooks';
import { SubscriptionState } from '../shared/delivery-status.js';
import { formatTime } from '../shared/format.js';
import { useAction, usePaged } from '../shared/hooks.js';
import { ErrorNotice, OneTimeSecret, PagedList } from '../shared/ui.js';
import { usePortalTitle, useSession } from './session.js';

export function EndpointsPage() {
  usePortalTitle('Endpoints');
  const { client } = useSession();
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<{ id: string; secret: string; url: string } | undefined>();
  const endpoints = usePaged((cursor) => client.webhookSubscriptions.list({ query: { limit: 100, cursor } }), []);

  return (
    <section aria-labelledby="endpoints-heading">
      <h1 id="endpoints-heading">Endpoints</h1>
      <p class="status-line">
        Each endpoint receives one event type as signed Standard Webhooks POSTs. Verify them with the endpoint’s signing secret.
      </p>
      <div class="toolbar">
        <button type="button" aria-expanded={adding} onClick={() => setAdding(!adding)}>
          Add endpoint
        </button>
      </div>
      {created && (
        <OneTimeSecret
          label={`Signing secret of ${created.url}`}
          value={created.secret}
          note="Store it with your receiver now. You can also reveal it later on the endpoint’s page."
        />
      )}
      {adding && (
        <AddEndpointForm
          onCancel={() => setAdding(false)}
          onCreated={(sub) => {
            setCreated(sub);
            setAdding(false);
            endpoints.reload();
          }}
        />
      )}
      <PagedList list={endpoints} what="endpoints" empty="No endpoints yet. Add one to start receiving webhooks.">
        {(rows) => (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Your endpoints</caption>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Event type</th>
                  <th scope="col">State</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((s) => (
                  <tr key={s.id}>
                    <td class="mono">
                      <a href={`/portal/endpoints/${s.id}`}>{s.target_url}</a>
                    </td>
                    <td class="mono">{s.event_type}</td>
                    <td>
                      <SubscriptionState sub={s} />
                    </td>
                    <td>{formatTime(s.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </PagedList>
    </section>
  );
}

function AddEndpointForm(props: { onCancel: () => void; onCreated: (sub: { id: string; secret: string; url: string }) => void }) {
  const { client } = useSession();
  const [url, setUrl] = useState('');
  const [topic, setTopic] = useState<EventTopic>(EVENT_TOPICS[0]);
  const add = useAction(async () => {
    const sub = await client.webhookSubscriptions.create({ body: { event_type: topic, target_url: url } });
    props.onCreated({ id: sub.id, secret: sub.secret, url: sub.target_url });
  });
  return (
    <form
      class="panel"
      aria-labelledby="add-endpoint-heading"
      onSubmit={(e) => {
        e.preventDefault();
        void add.run();
      }}
    >
      <h2 id="add-endpoint-heading">Add an endpoint</h2>
      {add.error !== undefined && <ErrorNotice error={add.error} />}
      <div class="field">
        <label for="endpoint-url">Endpoint URL</label>
        <input id="endpoint-url" type="url" required placeholder="https://hooks.example.com/ihf" value={url} onInput={(e) => setUrl((e.currentTarget as HTMLInputElement).value)} />
      </div>
      <div class="field">
        <label for="endpoint-topic">Event type</label>
        <select id="endpoint-topic" value={topic} onChange={(e) => setTopic((e.currentTarget as HTMLSelectElement).value as EventTopic)}>
          {EVENT_TOPICS.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      <div class="toolbar">
        <button type="submit" disabled={add.pending}>
          Create endpoint
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
