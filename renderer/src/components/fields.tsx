// Labelled form controls: every control has a visible <label>, an optional hint, and its error
// tied to it with aria-describedby and aria-invalid.
import { useId, type ReactNode } from 'react';

interface BaseProps {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  className?: string;
}

function describedBy(hintId: string | null, errorId: string | null): string | undefined {
  const ids = [hintId, errorId].filter((x): x is string => x !== null);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

export interface TextFieldProps extends BaseProps {
  value: string;
  onChange(value: string): void;
  type?: 'text' | 'password' | 'url' | 'search';
  autoComplete?: string;
  inputMode?: 'numeric' | 'text' | 'url';
  placeholder?: string;
  required?: boolean;
  /** Filled only by the field's action (a value main must have seen chosen), never typed. */
  readOnly?: boolean;
  /** A control after the input, inside the field (e.g. a "Choose…" button). */
  action?: ReactNode;
  /** The id of a <datalist> of suggested values (still free text). */
  list?: string;
}

export function TextField(props: TextFieldProps) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : null;
  const errorId = props.error ? `${id}-error` : null;
  return (
    <div className={`field ${props.className ?? ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type={props.type ?? 'text'}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        autoComplete={props.autoComplete ?? 'off'}
        inputMode={props.inputMode}
        placeholder={props.placeholder}
        aria-required={props.required || undefined}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(hintId, errorId)}
        readOnly={props.readOnly}
        list={props.list}
        spellCheck={false}
      />
      {props.action}
      {props.hint ? (
        <p id={hintId ?? undefined} className="field-hint">
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p id={errorId ?? undefined} className="field-error">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectFieldProps extends BaseProps {
  value: string;
  onChange(value: string): void;
  options: readonly SelectOption[];
}

export function SelectField(props: SelectFieldProps) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : null;
  const errorId = props.error ? `${id}-error` : null;
  return (
    <div className={`field ${props.className ?? ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(hintId, errorId)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.hint ? (
        <p id={hintId ?? undefined} className="field-hint">
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p id={errorId ?? undefined} className="field-error">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

export interface CheckboxFieldProps {
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
  hint?: ReactNode;
  disabled?: boolean;
}

export function CheckboxField(props: CheckboxFieldProps) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  return (
    <div className="field field-checkbox">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.checked)}
        aria-describedby={hintId}
      />
      <label htmlFor={id}>{props.label}</label>
      {props.hint ? (
        <p id={hintId} className="field-hint">
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

export function options(values: readonly string[]): SelectOption[] {
  return values.map((value) => ({ value, label: value }));
}
