// Pure rules of the Add images form: what a dropped file pre-fills, and whether a draft can be
// sent (and as which UploadRequest). No store, no React: the drafts slice and the view share them.
import type { AppError } from '../../../shared/errors.ts';
import { formatBytes } from '../../../shared/format.ts';
import type { Visibility } from '../../../shared/glance.ts';
import type { Inspection } from '../../../shared/inspect.ts';
import { fitsSizeLimit, type SessionInfo } from '../../../shared/session.ts';
import type { UploadRequest } from '../../../shared/upload.ts';

export const GIB = 1024 ** 3;

export interface PropertyRow {
  readonly key: string;
  readonly value: string;
}

/** The metadata form of one file, as typed (numbers stay text until they are checked). */
export interface DraftForm {
  readonly name: string;
  readonly diskFormat: string;
  readonly containerFormat: string;
  readonly visibility: Visibility;
  readonly minDisk: string;
  readonly minRam: string;
  /** Comma-separated. */
  readonly tags: string;
  readonly properties: readonly PropertyRow[];
  readonly protected: boolean;
  /** '' means the cloud's default store. */
  readonly store: string;
}

export type DraftStatus = 'inspecting' | 'inspected' | 'error';

export interface Draft {
  /** The path is the id: dropping the same file again checks it again. */
  readonly id: string;
  readonly path: string;
  readonly fileName: string;
  readonly status: DraftStatus;
  readonly inspection: Inspection | null;
  readonly error: AppError | null;
  readonly form: DraftForm;
}

export type FormField = 'name' | 'minDisk' | 'minRam' | 'properties';

export type DraftVerdict =
  | { readonly kind: 'inspecting' }
  | { readonly kind: 'blocked'; readonly reasons: readonly string[] }
  | {
      readonly kind: 'invalid';
      readonly problems: Readonly<Partial<Record<FormField, string>>>;
      readonly warnings: readonly string[];
    }
  | { readonly kind: 'ready'; readonly request: UploadRequest; readonly warnings: readonly string[] };

/** The last segment of a POSIX or Windows path. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** "ubuntu-24.04.qcow2" → "ubuntu-24.04"; a dot file or a name without a dot stays as it is. */
export function nameFromFileName(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

/** min_disk in whole GiB, rounded up: 1 byte over 2 GiB needs 3. */
export function minDiskGiB(bytes: number | null): number {
  if (bytes === null || !Number.isFinite(bytes) || bytes <= 0) return 0;
  return Math.ceil(bytes / GIB);
}

export function prefillForm(fileName: string, inspection: Inspection | null): DraftForm {
  return {
    name: nameFromFileName(fileName),
    diskFormat: inspection?.diskFormat ?? '',
    containerFormat: 'bare',
    visibility: 'private',
    minDisk: inspection ? String(minDiskGiB(inspection.virtualSize ?? inspection.size)) : '',
    minRam: '',
    tags: '',
    properties: [],
    protected: false,
    store: '',
  };
}

export function newDraft(path: string): Draft {
  const fileName = baseName(path);
  return {
    id: path,
    path,
    fileName,
    status: 'inspecting',
    inspection: null,
    error: null,
    form: prefillForm(fileName, null),
  };
}

function parseWholeNumber(text: string): number | null | 'invalid' {
  const t = text.trim();
  if (t === '') return null;
  if (!/^\d+$/.test(t)) return 'invalid';
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : 'invalid';
}

export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    ),
  ];
}

/** Warnings that do not stop an upload: the cloud may still reject it. */
export function draftWarnings(draft: Draft, session: SessionInfo | null): string[] {
  const warnings: string[] = [];
  const detected = draft.inspection?.diskFormat;
  const accepted = session?.capabilities.diskFormats ?? [];
  if (detected && accepted.length > 0 && !accepted.includes(detected)) {
    warnings.push(
      `This cloud does not list disk_format "${detected}" as accepted (it accepts: ${accepted.join(', ')}). The upload will probably be refused.`,
    );
  }
  if (detected && draft.form.diskFormat !== '' && draft.form.diskFormat !== detected) {
    warnings.push(
      `disk_format "${draft.form.diskFormat}" differs from the detected content (${detected}); the image service may reject the data.`,
    );
  }
  for (const a of draft.inspection?.advice ?? []) warnings.push(a.message);
  return warnings;
}

/** Whether a draft can be uploaded, and the request it becomes. */
export function draftVerdict(draft: Draft, session: SessionInfo | null): DraftVerdict {
  if (draft.status === 'inspecting') return { kind: 'inspecting' };
  if (draft.status === 'error' || draft.inspection === null) {
    const error = draft.error;
    return { kind: 'blocked', reasons: [error ? error.message : 'The file could not be inspected.'] };
  }
  const inspection = draft.inspection;
  if (!inspection.safe) {
    const reasons = inspection.reasons.map((r) => r.message);
    return { kind: 'blocked', reasons: reasons.length > 0 ? reasons : ['The inspector found this file unsafe.'] };
  }
  const limit = session?.capabilities.sizeLimit;
  if (limit !== undefined && limit > 0 && !fitsSizeLimit(inspection.size, limit)) {
    return {
      kind: 'blocked',
      reasons: [
        `The file is ${formatBytes(inspection.size)}; this cloud takes only files smaller than ${formatBytes(limit)}.`,
      ],
    };
  }

  const form = draft.form;
  const problems: Partial<Record<FormField, string>> = {};
  const name = form.name.trim();
  if (name === '') problems.name = 'Enter a name for the image.';
  else if (name.length > 255) problems.name = 'The name can have at most 255 characters.';
  const minDisk = parseWholeNumber(form.minDisk);
  if (minDisk === 'invalid') problems.minDisk = 'Minimum disk must be a whole number of GiB.';
  const minRam = parseWholeNumber(form.minRam);
  if (minRam === 'invalid') problems.minRam = 'Minimum RAM must be a whole number of MiB.';
  const properties: Record<string, string> = {};
  form.properties.forEach((row, i) => {
    const key = row.key.trim();
    if (key === '' && row.value.trim() === '') return;
    if (key === '') problems.properties ??= `Property ${i + 1} needs a key.`;
    else if (key in properties) problems.properties ??= `Property "${key}" appears twice.`;
    else properties[key] = row.value;
  });
  const warnings = draftWarnings(draft, session);
  if (Object.keys(problems).length > 0) return { kind: 'invalid', problems, warnings };

  const tags = parseTags(form.tags);
  const request: UploadRequest = {
    path: draft.path,
    name,
    diskFormat: form.diskFormat || 'auto',
    containerFormat: form.containerFormat || 'bare',
    visibility: form.visibility,
    ...(minDisk !== null && minDisk !== 'invalid' ? { minDisk } : {}),
    ...(minRam !== null && minRam !== 'invalid' ? { minRam } : {}),
    ...(form.protected ? { protected: true } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
    ...(form.store !== '' ? { store: form.store } : {}),
  };
  return { kind: 'ready', request, warnings };
}
