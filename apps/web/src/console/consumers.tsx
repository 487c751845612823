import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { formatCount, formatPercent } from '../shared/format.js';
import { useAction, usePaged } from '../shared/hooks.js';
import { ErrorNotice, PagedList, StatusBadge } from '../shared/ui.js';
import { useConsoleTitle, useSession } from './session.js';

type Tier = 'free' | 'pro' | 'enterprise';

export function ConsumersPage() {
  useConsoleTitle('Consumers');
  const { client } = useSession();
  const [creating, setCreating] = useState(false);
  const consumers = usePaged((cursor) => client.admin.consumers.list({ query: { limit: 100, cursor } }), []);

  return (
    <>
      <h1>Consumers</h1>
      <div class="toolbar">
        <button type="button" aria-expanded={creating} onClick={() => setCreating(!creating)}>
          New consumer
        </button>
      </div>
      {creating && <NewConsumerForm onCancel={() => setCreating(false)} />}
      <PagedList list={consumers} what="consumers" empty="No consumers yet. Create one with “New consumer”, then issue it a key.">
        {(rows) => (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Consumers</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Tier</th>
                  <th scope="col" class="num">Per-minute limit</th>
                  <th scope="col" class="num">Today’s quota use</th>
                  <th scope="col">Active</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => {
                  return (
                    <tr key={c.id}>
                      <td>
                        <a href={`/console/consumers/${c.id}`}>{c.name}</a>
                      </td>
                      <td>{c.tier}</td>
                      <td class="num">{formatCount(c.rate_limit_per_minute)}</td>
                      <td class="num">
                        {formatCount(c.quota_used_today)} of {formatCount(c.quota_per_day)} ({formatPercent(c.quota_used_today, c.quota_per_day)})
                      </td>
                      <td>{c.is_active ? <StatusBadge tone="ok">Active</StatusBadge> : <StatusBadge tone="muted">Deactivated</StatusBadge>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </PagedList>
    </>
  );
}

function NewConsumerForm({ onCancel }: { onCancel: () => void }) {
  const { client } = useSession();
  const { route } = useLocation();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [tier, setTier] = useState<Tier>('free');
  const create = useAction(async () => {
    const consumer = await client.admin.consumers.create({ body: { name, tier, ...(description ? { description } : {}) } });
    route(`/console/consumers/${consumer.id}`);
  });
  return (
    <form
      class="panel"
      aria-labelledby="new-consumer-heading"
      onSubmit={(e) => {
        e.preventDefault();
        void create.run();
      }}
    >
      <h2 id="new-consumer-heading">New consumer</h2>
      {create.error !== undefined && <ErrorNotice error={create.error} />}
      <div class="field">
        <label for="consumer-name">Name</label>
        <input id="consumer-name" required maxLength={200} value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
      </div>
      <div class="field">
        <label for="consumer-description">Description</label>
        <input id="consumer-description" maxLength={2000} value={description} onInput={(e) => setDescription((e.currentTarget as HTMLInputElement).value)} />
      </div>
      <div class="field">
        <label for="consumer-tier">Tier</label>
        <select id="consumer-tier" value={tier} onChange={(e) => setTier((e.currentTarget as HTMLSelectElement).value as Tier)}>
          <option value="free">free</option>
          <option value="pro">pro</option>
          <option value="enterprise">enterprise</option>
        </select>
        <span class="hint">The tier supplies the default per-minute limit and daily quota.</span>
      </div>
      <div class="toolbar">
        <button type="submit" disabled={create.pending}>
          Create consumer
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
