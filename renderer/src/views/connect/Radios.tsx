// A group of radio buttons under a legend; a click on the ticked one counts as a choice too.
import type { ReactNode } from 'react';

export function Radios<V extends string>(props: {
  legend: string;
  name: string;
  /** Null: none ticked yet. */
  value: V | null;
  onChange(value: V): void;
  options: readonly (readonly [V, ReactNode])[];
}) {
  return (
    <fieldset className="radio-group">
      <legend>{props.legend}</legend>
      {props.options.map(([value, label]) => (
        <label key={value}>
          <input
            type="radio"
            name={props.name}
            checked={props.value === value}
            onChange={() => props.onChange(value)}
            onClick={() => props.onChange(value)}
          />
          {label}
        </label>
      ))}
    </fieldset>
  );
}
