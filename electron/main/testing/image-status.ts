// Puts an image of the test cloud's Glance into a status no test could wait for (killed,
// uploading, importing, deactivated, pending_delete): Glance keeps its records in SQLite, and the
// dashboard reads the status Glance answers from there. For dashboard tests of every status.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { GlanceImageStatus } from '../../../shared/glance.ts';
import { TESTCLOUD_DIR } from './cloud.ts';

const run = promisify(execFile);

export async function setImageStatus(
  id: string,
  status: GlanceImageStatus,
  options: { minutesAgo?: number; db?: string } = {},
): Promise<void> {
  const script = [
    'import sqlite3, sys, datetime',
    'c = sqlite3.connect(sys.argv[1], timeout=30)',
    't = datetime.datetime.utcnow() - datetime.timedelta(minutes=float(sys.argv[4]))',
    "n = c.execute('UPDATE images SET status = ?, updated_at = ? WHERE id = ?', (sys.argv[3], t.strftime('%Y-%m-%d %H:%M:%S.%f'), sys.argv[2])).rowcount",
    'c.commit()',
    'sys.exit(0 if n == 1 else 3)',
  ].join('\n');
  const db = options.db ?? path.join(TESTCLOUD_DIR, 'glance', 'glance.sqlite');
  await run('python3', ['-c', script, db, id, status, String(options.minutesAgo ?? 0)]);
}
