// Pure rules of the Add images form: what a dropped file pre-fills, and whether a draft can be
// sent (and as which UploadRequest). No store, no React: the drafts slice and the view share them.
import type { AppError } from '../../../shared/errors.ts';
import { formatBytes } from '../../../shared/format.ts';
import type { Visibility } from '../../../shared/glance.ts';
import type { Inspection } from '../../../shared/inspect.ts';
import { fitsSizeLimit, type SessionInfo } from '../../../shared/session.ts';
import type { ImsRouteChoice, UploadRequest } from '../../../shared/upload.ts';
import { imsProblems, imsRequestFields } from './draft-form.ims.ts';
import type { DraftMessage } from './draft-message.ts';

export type { DraftMessage } from './draft-message.ts';

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
  // ── Huawei IMS (shown only on an IMS cloud) ──
  /** How the file reaches IMS; 'auto' is decided by main when the upload starts. */
  readonly route: ImsRouteChoice;
  /** `__os_version`: one of the cloud's list, or free text where it gives none. */
  readonly osVersion: string;
  /** '' means the cloud's obs_bucket. */
  readonly bucket: string;
  /** '' means Imagedrop's default key (imagedrop/<upload id>/<file name>). */
  readonly objectKey: string;
  readonly keepObject: boolean;
  // ── Glance's interoperable import (shown only where the cloud offers glance-direct) ──
  readonly useImport: boolean;
  /** The stores to import into; none means the default store. */
  readonly importStores: readonly string[];
  readonly allStores: boolean;
  readonly allowFailure: boolean;
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

export type FormField = 'name' | 'minDisk' | 'minRam' | 'properties' | 'route' | 'osVersion' | 'bucket' | 'objectKey';

export type FormProblems = Readonly<Partial<Record<FormField, DraftMessage>>>;

export type DraftVerdict =
  | { readonly kind: 'inspecting' }
  | { readonly kind: 'blocked'; readonly reasons: readonly DraftMessage[] }
  | {
      readonly kind: 'invalid';
      readonly problems: FormProblems;
      readonly warnings: readonly DraftMessage[];
    }
  | {
      readonly kind: 'ready';
      readonly request: UploadRequest;
      readonly warnings: readonly DraftMessage[];
      /** What the upload adds to the project's usage: the file's size, once per store it lands in. */
      readonly bytes: number;
    };

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
    route: 'auto',
    osVersion: '',
    bucket: '',
    objectKey: '',
    keepObject: false,
    useImport: false,
    importStores: [],
    allStores: false,
    allowFailure: false,
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
export function draftWarnings(draft: Draft, session: SessionInfo | null): DraftMessage[] {
  const warnings: DraftMessage[] = [];
  const detected = draft.inspection?.diskFormat;
  const accepted = session?.capabilities.diskFormats ?? [];
  if (detected && accepted.length > 0 && !accepted.includes(detected)) {
    warnings.push({ key: 'messages.formatNotAccepted', values: { format: detected, accepted: accepted.join(', ') } });
  }
  if (detected && draft.form.diskFormat !== '' && draft.form.diskFormat !== detected) {
    warnings.push({ key: 'messages.formatDiffers', values: { chosen: draft.form.diskFormat, detected } });
  }
  for (const a of draft.inspection?.advice ?? []) warnings.push({ text: a.message });
  return warnings;
}

/** True on a cloud whose images go through Huawei IMS: the form shows IMS's fields. */
export function isImsSession(session: SessionInfo | null): boolean {
  return session?.imageService.kind === 'ims';
}

/** True where the cloud offers Glance's interoperable import with glance-direct. */
export function offersImport(session: SessionInfo | null): boolean {
  return !isImsSession(session) && (session?.capabilities.importMethods ?? []).includes('glance-direct');
}

/** How many stores the request lands the image in (Glance counts each copy). */
export function storeCopies(form: DraftForm, session: SessionInfo | null): number {
  if (!form.useImport || !offersImport(session)) return 1;
  if (form.allStores) return Math.max(1, session?.capabilities.stores.length ?? 1);
  return Math.max(1, form.importStores.length);
}

/** Whether a draft can be uploaded, and the request it becomes. */
export function draftVerdict(draft: Draft, session: SessionInfo | null): DraftVerdict {
  if (draft.status === 'inspecting') return { kind: 'inspecting' };
  if (draft.status === 'error' || draft.inspection === null) {
    const error = draft.error;
    return { kind: 'blocked', reasons: [error ? { text: error.message } : { key: 'messages.notInspected' }] };
  }
  const inspection = draft.inspection;
  if (!inspection.safe) {
    const reasons: DraftMessage[] = inspection.reasons.map((r) => ({ text: r.message }));
    return { kind: 'blocked', reasons: reasons.length > 0 ? reasons : [{ key: 'messages.unsafe' }] };
  }
  const limit = session?.capabilities.sizeLimit;
  if (limit !== undefined && limit > 0 && !fitsSizeLimit(inspection.size, limit)) {
    return {
      kind: 'blocked',
      reasons: [
        { key: 'messages.tooLarge', values: { size: formatBytes(inspection.size), limit: formatBytes(limit) } },
      ],
    };
  }

  const form = draft.form;
  const ims = isImsSession(session);
  const problems: Partial<Record<FormField, DraftMessage>> = {};
  const name = form.name.trim();
  if (name === '') problems.name = { key: 'messages.nameMissing' };
  else if (name.length > 255) problems.name = { key: 'messages.nameTooLong' };
  const minDisk = parseWholeNumber(form.minDisk);
  if (minDisk === 'invalid') problems.minDisk = { key: 'messages.minDiskWhole' };
  const minRam = parseWholeNumber(form.minRam);
  if (minRam === 'invalid') problems.minRam = { key: 'messages.minRamWhole' };
  const properties: Record<string, string> = {};
  form.properties.forEach((row, i) => {
    const key = row.key.trim();
    if (key === '' && row.value.trim() === '') return;
    if (key === '') problems.properties ??= { key: 'messages.propertyNoKey', values: { n: i + 1 } };
    else if (key in properties) problems.properties ??= { key: 'messages.propertyTwice', values: { key } };
    else properties[key] = row.value;
  });
  if (ims && session) Object.assign(problems, { ...imsProblems(draft, session, minDisk), ...problems });
  const warnings = draftWarnings(draft, session);
  if (Object.keys(problems).length > 0) return { kind: 'invalid', problems, warnings };

  const tags = parseTags(form.tags);
  const importing = form.useImport && offersImport(session);
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
    ...(form.store !== '' && !importing && !ims ? { store: form.store } : {}),
    ...(importing
      ? {
          import: {
            stores: form.allStores ? ('all' as const) : [...form.importStores],
            allowFailure: form.allowFailure,
          },
        }
      : {}),
    ...(ims ? imsRequestFields(form) : {}),
  };
  return { kind: 'ready', request, warnings, bytes: inspection.size * storeCopies(form, session) };
}
