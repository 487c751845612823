import { useState } from 'preact/hooks';
import { formatMs, formatTime, localInputToIso } from '../shared/format.js';
import { usePaged } from '../shared/hooks.js';
import { PagedList } from '../shared/ui.js';
import { ConsumerSelect, useConsumerNames } from './consumer-select.js';
import { useConsoleTitle, useSession } from './session.js';

interface Filters {
  consumer: string;
  status: string;
  from: string;
  to: string;
}

const NONE: Filters = { consumer: '', status: '', from: '', to: '' };

export function RequestLogPage() {
  useConsoleTitle('Request log');
  const { client } = useSession();
  const names = useConsumerNames();
  const [draft, setDraft] = useState<Filters>(NONE);
  const [applied, setApplied] = useState<Filters>(NONE);
  const log = usePaged((cursor) => {
    const from = localInputToIso(applied.from);
    const to = localInputToIso(applied.to);
    return client.admin.usage.requestLog({
      query: {
        limit: 50,
        cursor,
        ...(applied.consumer ? { consumer_id: applied.consumer } : {}),
        ...(applied.status ? { status_code: Number(applied.status) } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      },
    });
  }, [applied]);
  const set = (field: keyof Filters) => (e: Event) => setDraft({ ...draft, [field]: (e.currentTarget as HTMLInputElement).value });

  return (
    <>
      <h1>Request log</h1>
      <p class="status-line">Every /api/v2 request, newest first: no bodies and no credentials are logged. New requests appear within about a second.</p>
      <form
        class="panel row"
        aria-label="Filter the request log"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(draft);
        }}
      >
        <ConsumerSelect id="log-consumer" value={draft.consumer} onChange={(consumer) => setDraft({ ...draft, consumer })} names={names} />
        <div class="field">
          <label for="log-status">Status</label>
          <input id="log-status" type="number" min={100} max={599} inputMode="numeric" value={draft.status} onInput={set('status')} />
        </div>
        <div class="field">
          <label for="log-from">From</label>
          <input id="log-from" type="datetime-local" value={draft.from} onInput={set('from')} />
        </div>
        <div class="field">
          <label for="log-to">To</label>
          <input id="log-to" type="datetime-local" value={draft.to} onInput={set('to')} />
        </div>
        <button type="submit">Apply filters</button>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setDraft(NONE);
            setApplied(NONE);
          }}
        >
          Clear
        </button>
      </form>
      <PagedList list={log} what="the request log" empty="No request matches these filters.">
        {(rows) => (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Requests, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Method</th>
                  <th scope="col">Route</th>
                  <th scope="col" class="num">Status</th>
                  <th scope="col" class="num">Latency</th>
                  <th scope="col">Consumer</th>
                  <th scope="col">Request id</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id}>
                    <td>{formatTime(r.requested_at)}</td>
                    <td>{r.method}</td>
                    <td class="mono">{r.endpoint}</td>
                    <td class="num">{r.status_code}</td>
                    <td class="num">{formatMs(r.latency_ms)}</td>
                    <td>{r.api_consumer_id ? <a href={`/console/consumers/${r.api_consumer_id}`}>{names.get(r.api_consumer_id) ?? r.api_consumer_id.slice(0, 8)}</a> : '—'}</td>
                    <td class="mono">{r.request_id ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </PagedList>
    </>
  );
}
