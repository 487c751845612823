import { useLoad } from '../shared/hooks.js';
import { useSession } from './session.js';

/** Names of the first 200 consumers, to label ids in tables and fill the filter. */
export function useConsumerNames(): Map<string, string> {
  const { client } = useSession();
  const consumers = useLoad(async () => {
    const page = await client.admin.consumers.list({ query: { limit: 200 } });
    return new Map(page.data.map((c) => [c.id, c.name]));
  }, []);
  return consumers.data ?? new Map();
}

export function ConsumerSelect(props: { id: string; value: string; onChange: (id: string) => void; names: Map<string, string> }) {
  return (
    <div class="field">
      <label for={props.id}>Consumer</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}>
        <option value="">All consumers</option>
        {[...props.names].map(([id, name]) => (
          <option key={id} value={id}>
            {name}
          </option>
        ))}
      </select>
    </div>
  );
}
