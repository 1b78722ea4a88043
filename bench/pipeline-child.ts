// One upload through Imagedrop's client pipeline alone (the engine's file source: the file read-only
// with positioned reads and backpressure, sha512 in the worker ring, undici PUT with a
// Content-Length), into a server at 127.0.0.1:PORT. Run as its own process so its peak RSS is
// its own: `node bench/pipeline-child.ts FILE PORT [algorithms]`. Prints one JSON line.
import { fileIdentity } from '../electron/main/files/identity.ts';
import { FileSource } from '../electron/main/upload/file-source.ts';
import { closeDispatchers, getDispatcher, httpRequest } from '../electron/main/openstack/http.ts';

const [file, port, algorithms = 'sha512'] = process.argv.slice(2);
if (!file || !port) {
  process.stderr.write('usage: node bench/pipeline-child.ts FILE PORT [sha512,md5|none]\n');
  process.exit(2);
}
const identity = await fileIdentity(file);
const source = new FileSource({ path: file, checked: identity });
const started = performance.now();
const signal = AbortSignal.timeout(30 * 60_000);
const { body, digests: digestsOf } = await source.openBody(
  null,
  algorithms === 'none' ? [] : algorithms.split(','),
  signal,
);
const res = await httpRequest(`http://127.0.0.1:${port}/v2/images/bench/file`, {
  method: 'PUT',
  headers: {
    'content-type': 'application/octet-stream',
    'content-length': String(identity.size),
    'x-openstack-image-size': String(identity.size),
  },
  body,
  signal,
  dispatcher: await getDispatcher(),
  service: 'glance',
});
const digests = await digestsOf();
const seconds = (performance.now() - started) / 1000;
await source.close();
await closeDispatchers();
process.stdout.write(`${JSON.stringify({ status: res.status, bytes: identity.size, seconds, digests })}\n`);
