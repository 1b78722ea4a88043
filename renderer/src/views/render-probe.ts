// A render counter for tests (and nothing else): components that must re-render only when
// their own data changes call noteRender(); a test installs a probe to count. Without a probe
// it costs one comparison.
export type RenderProbe = (component: string, key: string) => void;

let probe: RenderProbe | null = null;

export function setRenderProbe(next: RenderProbe | null): void {
  probe = next;
}

export function noteRender(component: string, key: string): void {
  if (probe !== null) probe(component, key);
}
