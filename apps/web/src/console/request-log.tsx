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

/** "404" filters on the code, "5xx" on the class. */
function statusFilter(status: string): { status_code?: number; status_class?: '2xx' | '3xx' | '4xx' | '5xx' } {
  const value = status.trim().toLowerCase();
  if (/^[2-5]xx$/.test(value)) return { status_class: value as '2xx' | '3xx' | '4xx' | '5xx' };
  if (/^[1-5]\d\d$/.test(value)) return { status_code: Number(value) };
  return {};
}

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
        ...statusFilter(applied.status),
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
          <input
            id="log-status"
            size={8}
            pattern="[1-5][0-9][0-9]|[2-5]xx"
            title="A status code such as 404, or a class such as 5xx"
            aria-describedby="log-status-hint"
            value={draft.status}
            onInput={set('status')}
          />
          <span class="hint" id="log-status-hint">
            404, or 5xx
          </span>
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
                    <td>{r.consumer_id ? <a href={`/console/consumers/${r.consumer_id}`}>{names.get(r.consumer_id) ?? r.consumer_id.slice(0, 8)}</a> : '—'}</td>
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
