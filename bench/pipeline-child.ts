// One upload through Imagedrop's client pipeline alone (the engine's body: the file read-only
// with positioned reads and backpressure, sha512 in the worker ring, undici PUT with a
// Content-Length), into a server at 127.0.0.1:PORT. Run as its own process so its peak RSS is
// its own: `node bench/pipeline-child.ts FILE PORT [algorithms]`. Prints one JSON line.
import { createFileBody, openForUpload } from '../electron/main/upload/file-body.ts';
import { createStreamHasher } from '../electron/main/upload/hasher.ts';
import { closeDispatchers, getDispatcher, httpRequest } from '../electron/main/openstack/http.ts';

const [file, port, algorithms = 'sha512'] = process.argv.slice(2);
if (!file || !port) {
  process.stderr.write('usage: node bench/pipeline-child.ts FILE PORT [sha512,md5|none]\n');
  process.exit(2);
}
const { handle, identity } = await openForUpload(file);
const hasher = algorithms === 'none' ? null : createStreamHasher(algorithms.split(','));
const started = performance.now();
const body = createFileBody({ path: file, handle, identity, hasher, onBytes: () => {}, gate: async () => {} });
const res = await httpRequest(`http://127.0.0.1:${port}/v2/images/bench/file`, {
  method: 'PUT',
  headers: {
    'content-type': 'application/octet-stream',
    'content-length': String(identity.size),
    'x-openstack-image-size': String(identity.size),
  },
  body,
  signal: AbortSignal.timeout(30 * 60_000),
  dispatcher: await getDispatcher(),
  service: 'glance',
});
const digests = hasher ? await hasher.digest() : {};
const seconds = (performance.now() - started) / 1000;
await handle.close();
await closeDispatchers();
process.stdout.write(`${JSON.stringify({ status: res.status, bytes: identity.size, seconds, digests })}\n`);
