// Steps the specs share: locators by accessible name, connecting, dropping files, reading the
// queue, the axe scan and the README screenshots.
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page, TestInfo } from '@playwright/test';
import { mkdir } from 'node:fs/promises';
import type { FaultProxy } from '../electron/main/testing/fault-proxy.ts';
import path from 'node:path';
import { CHANNEL_PREFIX, INVOKE_CHANNELS, type InvokeMethod } from '../shared/ipc.ts';
import { ADMIN, expect, type App } from './harness.ts';

export const SCREENSHOTS = path.resolve(import.meta.dirname, '../docs/screenshots');

/** A PUT of image data, as the fault proxy sees its request line. */
export const IMAGE_DATA_PUT = /^PUT \/v2\/images\/[^/]+\/file/;

/** A request-line pattern that stops matching once opened. */
class Switch extends RegExp {
  open = false;
  override test(line: string): boolean {
    return !this.open && super.test(line);
  }
}

/**
 * Holds every PUT of image data at the proxy once `afterBytes` of it have gone through, until
 * release(); from then on they all pass. Every PUT, not just the first few: the engine retries a
 * PUT whose connection breaks (a keep-alive connection the server closed just then), and that
 * retry must be held too, or the test's upload would race to the end.
 */
export function holdImageData(proxy: FaultProxy, afterBytes: number): { release(): void } {
  const match = new Switch(IMAGE_DATA_PUT.source);
  proxy.inject({ match, fault: { kind: 'hold', afterBytes }, times: Number.MAX_SAFE_INTEGER });
  return {
    release() {
      match.open = true;
      proxy.release();
    },
  };
}

export function tab(page: Page, name: 'Connect' | 'Add images' | 'Queue' | 'Dashboard'): Locator {
  return page.getByRole('tablist', { name: 'Views' }).getByRole('tab', { name, exact: true });
}

export function draft(page: Page, fileName: string): Locator {
  return page.getByRole('list', { name: 'Files to upload' }).getByRole('listitem', { name: fileName, exact: true });
}

export function row(page: Page, fileName: string): Locator {
  return page.getByRole('list', { name: 'Uploads' }).getByRole('listitem', { name: fileName, exact: true });
}

export function lifecycle(page: Page, fileName: string): Locator {
  return page.getByRole('region', { name: `Lifecycle of ${fileName}`, exact: true });
}

/** The value of a <progress>, as the user sees it filled. */
export async function progressOf(page: Page, fileName: string): Promise<number> {
  return row(page, fileName)
    .getByRole('progressbar', { name: `Progress of ${fileName}` })
    .evaluate((el) => (el as HTMLProgressElement).value);
}

export async function connectCloud(page: Page, cloud = ADMIN): Promise<void> {
  await tab(page, 'Connect').click();
  await page.getByRole('radio', { name: 'A cloud from clouds.yaml' }).check();
  await page.getByRole('combobox', { name: 'Cloud' }).selectOption(cloud);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Connected' })).toBeVisible();
}

/**
 * Drops files on the drop zone, as a user dragging them from a file manager. The dropped Files
 * carry the names but not the bytes: Playwright copies a dropped file's bytes into the page as
 * base64 (the tab dies on files of 100 MiB), and the app never reads them anyway. It takes the
 * path (webUtils.getPathForFile in the app, the name looked up in the test's directory here) and
 * the core reads the file from disk.
 */
export async function dropFiles(page: Page, files: readonly string[]): Promise<void> {
  await tab(page, 'Add images').click();
  await page.getByRole('region', { name: 'Drop zone' }).drop({
    files: files.map((f) => ({
      name: path.basename(f),
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(0),
    })),
  });
}

/** The host browser (imagedrop serve) as the page shows it. */
export function hostBrowser(page: Page, purpose: 'images' | 'ca' = 'images'): Locator {
  return page.getByRole('dialog', {
    name: purpose === 'images' ? 'Choose disk images on the host' : 'Choose the CA certificate file on the host',
  });
}

/**
 * Chooses files as a user of imagedrop serve does: "Choose files…" opens the host browser on the
 * shared folder (the test's files folder), each file is ticked, then "Add N files".
 */
export async function chooseFiles(page: Page, files: readonly string[]): Promise<void> {
  await tab(page, 'Add images').click();
  await page.getByRole('button', { name: 'Choose files…', exact: true }).click();
  const dialog = hostBrowser(page);
  for (const f of files)
    await dialog.getByRole('checkbox', { name: `Choose ${path.basename(f)}`, exact: true }).check();
  await dialog.getByRole('button', { name: `Add ${files.length} file${files.length === 1 ? '' : 's'}` }).click();
  await expect(dialog).toHaveCount(0);
}

/** Adds files the way the shell offers it: the host browser under serve, a drop in the app. */
export async function addFiles(page: Page, app: App, files: readonly string[]): Promise<void> {
  if (app.shell === 'serve') await chooseFiles(page, files);
  else await dropFiles(page, files);
}

/**
 * A call as a script in the page could make it, bypassing the views: window.imagedrop in the app;
 * under serve, a same-origin fetch of the call (the session cookie goes along).
 */
export async function callFromPage(app: App, method: InvokeMethod, ...args: unknown[]): Promise<unknown> {
  if (app.shell === 'binding') {
    return app.page.evaluate(
      ([m, a]) =>
        (window as unknown as Record<string, Record<string, (...x: unknown[]) => unknown>>)['imagedrop']![m as string]!(
          ...(a as unknown[]),
        ),
      [method, args] as const,
    );
  }
  const name = INVOKE_CHANNELS[method].slice(CHANNEL_PREFIX.length);
  return app.page.evaluate(
    async ([n, a]) => {
      const res = await fetch(`/api/${n}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(a),
      });
      return res.json() as Promise<unknown>;
    },
    [name, args] as const,
  );
}

/** The image id the lifecycle panel shows for a job (opens its details). */
export async function imageIdOf(page: Page, fileName: string): Promise<string> {
  const details = row(page, fileName).getByRole('button', { name: `Details of ${fileName}` });
  if ((await details.getAttribute('aria-pressed')) !== 'true') await details.click();
  const id = lifecycle(page, fileName).locator('code.image-id');
  await expect(id).toHaveText(/^[0-9a-f-]{36}$/);
  return (await id.textContent()) ?? '';
}

/** What each queue row shows, minus what moves on its own (speed, ETA, times). */
export async function queueState(page: Page): Promise<string[]> {
  await expect(page.getByRole('list', { name: 'Uploads' })).toBeVisible();
  return page
    .getByRole('list', { name: 'Uploads' })
    .locator(':scope > li')
    .evaluateAll((items) =>
      items.map((li) => {
        const title = li.querySelector('h3')?.textContent ?? '';
        // The row's one state chip, part by part (phase, image status, "Verified").
        const badges = [...li.querySelectorAll('.chip .chip-part')].map((b) => b.textContent).join(' | ');
        const progress = (li.querySelector('progress') as HTMLProgressElement | null)?.value ?? -1;
        const resume = li.querySelector('.row-resume')?.textContent ?? '';
        return `${title} :: ${badges} :: ${progress}% :: ${resume}`;
      }),
    );
}

/** Presses Tab until `target` has the focus (or fails after `max` presses). */
export async function tabTo(page: Page, target: Locator, max = 60): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target, `Tab never reached ${target.toString()}`).toBeFocused({ timeout: 1 });
}

/** Moderate and minor axe findings of the whole run, for the summary the a11y spec prints. */
export interface AxeFinding {
  readonly view: string;
  readonly scheme: 'light' | 'dark';
  readonly id: string;
  readonly impact: string;
  readonly help: string;
  readonly nodes: number;
}

/**
 * Scans the page with axe in light and dark. Serious and critical violations fail the test (softly,
 * so every view is scanned); the rest are returned and attached to the report.
 */
export async function scanView(page: Page, testInfo: TestInfo, view: string): Promise<AxeFinding[]> {
  const findings: AxeFinding[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const results = await new AxeBuilder({ page }).analyze();
    await testInfo.attach(`axe-${view}-${scheme}.json`, {
      body: JSON.stringify({ violations: results.violations, incomplete: results.incomplete }, null, 2),
      contentType: 'application/json',
    });
    const serious = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect.soft(serious, `axe: serious or critical violations in ${view} (${scheme})`).toEqual([]);
    for (const v of results.violations) {
      if (v.impact === 'serious' || v.impact === 'critical') continue;
      findings.push({ view, scheme, id: v.id, impact: v.impact ?? 'unknown', help: v.help, nodes: v.nodes.length });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return findings;
}

/**
 * Takes <name>.png (the viewport, 1280x800) and attaches it to the report. It goes into
 * docs/screenshots (the README's) only with UPDATE_SCREENSHOTS=1 (`npm run screenshots`), so a
 * test run never leaves the checkout modified.
 */
export async function screenshot(
  page: Page,
  testInfo: TestInfo,
  name: string,
  scheme: 'light' | 'dark' = 'light',
): Promise<void> {
  const dir = process.env.UPDATE_SCREENSHOTS === '1' ? SCREENSHOTS : testInfo.outputPath('screenshots');
  await mkdir(dir, { recursive: true });
  await page.emulateMedia({ colorScheme: scheme });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  await page.emulateMedia({ colorScheme: 'light' });
  await testInfo.attach(`${name}.png`, { path: file, contentType: 'image/png' });
}
