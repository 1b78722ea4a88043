// What one kind of image service brings to the details form: its own fields (after the auth URL),
// the ones it adds to the connection grid (before the CA file), and its words. A new kind adds one
// fields component and one entry in SERVICE_FIELDS (in ./services.ts).
import type { TFunction } from 'i18next';
import type { ComponentType } from 'react';
import type { ManualAuth, ManualFields, ProblemField, ServiceKind } from '../../store/connect-form.ts';

type T = TFunction<'connect'>;

/** The problems of the form, already in the current language. */
export type FieldErrors = Partial<Record<ProblemField, string>>;

export interface ServiceFieldsProps {
  fields: ManualFields;
  errors: FieldErrors;
  set<K extends keyof ManualFields>(key: K, value: ManualFields[K]): void;
  auth: ManualAuth;
  setAuth(auth: ManualAuth): void;
  /** Clears every problem shown (e.g. when the sign-in way changes what is asked). */
  clearProblems(): void;
}

export interface ServiceFields {
  /** The choice's words under "Image service". */
  readonly label: (t: T) => string;
  /** Its sign-in and service fields, after the auth URL. */
  readonly Fields: ComponentType<ServiceFieldsProps>;
  /** Fields it adds to the connection grid, before the CA file. */
  readonly ConnectionFields?: ComponentType<ServiceFieldsProps>;
  /** An example of its auth URL (not translated: a URL). */
  readonly authUrlPlaceholder: string;
  /** The auth URL's hint, when it needs one. */
  readonly authUrlHint?: (t: T) => string;
  /** What "Remember this connection" keeps. */
  readonly rememberHint: (t: T) => string;
}

export type ServiceFieldsByKind = { readonly [K in ServiceKind]: ServiceFields };
