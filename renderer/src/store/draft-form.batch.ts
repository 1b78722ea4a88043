// Metadata for many files at once (issue 12): the batch editor's fields, and how they change one
// file's form. An empty field leaves each file as it is; tags and properties are added (a
// property of the same key is replaced). Pure: the drafts slice applies it to all or to the
// selected files, and presets store these same fields.
import { VISIBILITIES, type Visibility } from '../../../shared/glance.ts';
import { parseTags, type DraftForm, type PropertyRow } from './draft-form.ts';
import type { DraftMessage } from './draft-message.ts';

export type ProtectedChoice = 'leave' | 'yes' | 'no';

export interface BatchFields {
  /** '' leaves each file's visibility. */
  readonly visibility: Visibility | '';
  /** '' leaves each file's min RAM; else whole MiB. */
  readonly minRam: string;
  /** Comma-separated tags added to each file's. */
  readonly tags: string;
  /** Added to each file's properties (replacing one of the same key). */
  readonly properties: readonly PropertyRow[];
  /** null leaves each file's store; '' is the cloud's default store. */
  readonly store: string | null;
  readonly protected: ProtectedChoice;
}

export const EMPTY_BATCH: BatchFields = {
  visibility: '',
  minRam: '',
  tags: '',
  properties: [],
  store: null,
  protected: 'leave',
};

export type BatchProblems = Readonly<Partial<Record<'minRam' | 'properties', DraftMessage>>>;

function filledProperties(rows: readonly PropertyRow[]): PropertyRow[] {
  return rows.filter((r) => r.key.trim() !== '' || r.value.trim() !== '');
}

export function batchProblems(batch: BatchFields): BatchProblems {
  const problems: Partial<Record<'minRam' | 'properties', DraftMessage>> = {};
  if (batch.minRam.trim() !== '' && !/^\d+$/.test(batch.minRam.trim()))
    problems.minRam = { key: 'messages.minRamWhole' };
  const seen = new Set<string>();
  batch.properties.forEach((row, i) => {
    const key = row.key.trim();
    if (key === '' && row.value.trim() === '') return;
    if (key === '') problems.properties ??= { key: 'messages.propertyNoKey', values: { n: i + 1 } };
    else if (seen.has(key)) problems.properties ??= { key: 'messages.propertyTwice', values: { key } };
    seen.add(key);
  });
  return problems;
}

/** True when applying it would change nothing. */
export function isBatchEmpty(batch: BatchFields): boolean {
  return (
    batch.visibility === '' &&
    batch.minRam.trim() === '' &&
    parseTags(batch.tags).length === 0 &&
    filledProperties(batch.properties).length === 0 &&
    batch.store === null &&
    batch.protected === 'leave'
  );
}

/** One file's form with the batch's fields applied. */
export function applyBatchToForm(form: DraftForm, batch: BatchFields): DraftForm {
  const tags = parseTags(batch.tags);
  const properties = [...form.properties];
  for (const row of filledProperties(batch.properties)) {
    const key = row.key.trim();
    const at = properties.findIndex((p) => p.key.trim() === key);
    const next = { key, value: row.value };
    if (at >= 0) properties[at] = next;
    else properties.push(next);
  }
  return {
    ...form,
    ...(batch.visibility !== '' ? { visibility: batch.visibility } : {}),
    ...(batch.minRam.trim() !== '' ? { minRam: batch.minRam.trim() } : {}),
    ...(tags.length > 0 ? { tags: [...new Set([...parseTags(form.tags), ...tags])].join(', ') } : {}),
    properties,
    ...(batch.store !== null ? { store: batch.store } : {}),
    ...(batch.protected !== 'leave' ? { protected: batch.protected === 'yes' } : {}),
  };
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** Batch fields read back from storage, or null when they are not what this app wrote. */
export function parseBatchFields(value: unknown): BatchFields | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const visibility = v.visibility;
  if (!(visibility === '' || (VISIBILITIES as readonly unknown[]).includes(visibility))) return null;
  if (!isString(v.minRam) || !isString(v.tags)) return null;
  if (!(v.store === null || isString(v.store))) return null;
  if (!(v.protected === 'leave' || v.protected === 'yes' || v.protected === 'no')) return null;
  if (!Array.isArray(v.properties) || v.properties.length > 128) return null;
  const properties: PropertyRow[] = [];
  for (const row of v.properties as unknown[]) {
    if (typeof row !== 'object' || row === null) return null;
    const r = row as Record<string, unknown>;
    if (!isString(r.key) || !isString(r.value)) return null;
    properties.push({ key: r.key, value: r.value });
  }
  return {
    visibility: visibility as Visibility | '',
    minRam: v.minRam,
    tags: v.tags,
    properties,
    store: v.store as string | null,
    protected: v.protected,
  };
}
