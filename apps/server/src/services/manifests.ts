import type { Manifest } from '@ihf/contract';
import type { ManifestInsert, ManifestRow, ManifestsRepository } from '../db/repositories/manifests.js';
import { isPgError, PG_UNIQUE_VIOLATION } from '../db/client.js';
import { toPage } from '../db/pagination.js';
import { ApiError, notFound } from '../errors.js';
import { iso } from '../lib/time.js';

export function toManifest(row: ManifestRow): Manifest {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    description: row.description,
    scopes: row.scopes,
    event_types: row.event_types,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

async function uniqueNameVersion<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isPgError(err, PG_UNIQUE_VIOLATION)) {
      throw new ApiError('conflict', 'A manifest with this name and version already exists.');
    }
    throw err;
  }
}

const dedupe = <T>(items: T[] | undefined) => (items ? [...new Set(items)] : undefined);

export function createManifestsService(repo: ManifestsRepository) {
  return {
    async create(input: Omit<ManifestInsert, 'description'> & { description?: string | null }): Promise<Manifest> {
      const row = await uniqueNameVersion(() =>
        repo.insert({
          ...input,
          description: input.description ?? null,
          scopes: dedupe(input.scopes)!,
          event_types: dedupe(input.event_types)!,
        }),
      );
      return toManifest(row);
    },
    async list(opts: { limit: number; cursor?: string }) {
      return toPage(await repo.list(opts), opts.limit, toManifest);
    },
    async get(id: string): Promise<Manifest> {
      const row = await repo.findById(id);
      if (!row) throw notFound('manifest', id);
      return toManifest(row);
    },
    async update(id: string, patch: Partial<ManifestInsert>): Promise<Manifest> {
      const clean: Partial<ManifestInsert> = { ...patch };
      if (patch.scopes) clean.scopes = dedupe(patch.scopes)!;
      if (patch.event_types) clean.event_types = dedupe(patch.event_types)!;
      const row = await uniqueNameVersion(() => repo.update(id, clean));
      if (!row) throw notFound('manifest', id);
      return toManifest(row);
    },
  };
}
export type ManifestsService = ReturnType<typeof createManifestsService>;
