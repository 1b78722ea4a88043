// Steps the dashboard specs share: a cell by its column's header, and a downloaded file's text.
import type { Download, Locator } from '@playwright/test';
import { readFile } from 'node:fs/promises';

/** The cell of `row` under the column headed `column` (the header's text, sort arrows aside). */
export async function columnCell(table: Locator, row: Locator, column: string): Promise<Locator> {
  const headers = (await table.getByRole('columnheader').allTextContents()).map((h) => h.replace(/[▲▼]/g, '').trim());
  const index = headers.indexOf(column);
  if (index < 0) throw new Error(`no column "${column}" among ${headers.join(' | ')}`);
  return row.locator(':scope > th, :scope > td').nth(index);
}

/** What the page saved, read back from the download. */
export async function downloadedText(download: Download): Promise<string> {
  const file = await download.path();
  return readFile(file, 'utf8');
}
