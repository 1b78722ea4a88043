// Metadata presets an operator saves, names, applies and deletes: kept in this browser's
// localStorage under `imagedrop.metadataPresets`, and validated when read back. A corrupt entry
// (hand-edited, or written by another version) is ignored and reported, never a crash.
import { parseBatchFields, type BatchFields } from './draft-form.batch.ts';

export const PRESETS_KEY = 'imagedrop.metadataPresets';
const VERSION = 1;
export const MAX_PRESET_NAME = 80;

export interface MetadataPreset {
  readonly name: string;
  readonly fields: BatchFields;
}

export interface StoredPresets {
  readonly presets: readonly MetadataPreset[];
  /** Something was stored under the key and could not be read: it is ignored. */
  readonly corrupt: boolean;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage refused (a sandboxed page)
  }
}

/** The saved presets; a corrupt entry gives none, and says so. */
export function readPresets(): StoredPresets {
  let raw: string | null;
  try {
    raw = storage()?.getItem(PRESETS_KEY) ?? null;
  } catch {
    return { presets: [], corrupt: false };
  }
  if (raw === null) return { presets: [], corrupt: false };
  try {
    const doc = JSON.parse(raw) as unknown;
    if (typeof doc !== 'object' || doc === null) throw new Error('not an object');
    const { version, presets } = doc as { version?: unknown; presets?: unknown };
    if (version !== VERSION || !Array.isArray(presets)) throw new Error('unknown shape');
    const out: MetadataPreset[] = [];
    for (const p of presets as unknown[]) {
      const { name, fields } = (p ?? {}) as { name?: unknown; fields?: unknown };
      const parsed = parseBatchFields(fields);
      if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_PRESET_NAME || parsed === null)
        throw new Error('bad preset');
      if (!out.some((o) => o.name === name)) out.push({ name, fields: parsed });
    }
    return { presets: out, corrupt: false };
  } catch {
    return { presets: [], corrupt: true };
  }
}

/** Saves the presets; false when the browser's storage refused them. */
export function writePresets(presets: readonly MetadataPreset[]): boolean {
  try {
    const s = storage();
    if (!s) return false;
    s.setItem(PRESETS_KEY, JSON.stringify({ version: VERSION, presets }));
    return true;
  } catch {
    return false;
  }
}
