// A process that uploads one file with uploadMultipart, keeping its state in a JSON file the way a
// job log does (written to a temporary name, then renamed), so a test or the benchmark can SIGKILL
// it mid-upload and resume from that file. It prints one line per event on stdout:
//   state N      a state was saved, N parts confirmed
//   done JSON    the result, with `seconds` (the upload alone, from the call to its end)
//   error JSON   the error
// Usage: node objstore-upload-child.ts CONFIG_JSON
//   { file, stateFile, bucket, key, store: ObjectStoreOptions (no dispatcher), options: MultipartOptions }
import { readFile, rename, writeFile } from 'node:fs/promises';
import { toAppError } from '../errors.ts';
import { ObjectStoreClient, type ObjectStoreOptions } from '../objstore/client.ts';
import { uploadMultipart, type MultipartOptions, type MultipartState } from '../objstore/multipart.ts';
import { openFilePartSource } from './file-part-source.ts';

interface ChildConfig {
  file: string;
  stateFile: string;
  bucket: string;
  key: string;
  store: ObjectStoreOptions;
  options?: MultipartOptions;
}

const config = JSON.parse(process.argv[2]!) as ChildConfig;
const say = (line: string) => process.stdout.write(`${line}\n`);

async function loadState(): Promise<MultipartState | null> {
  try {
    return JSON.parse(await readFile(config.stateFile, 'utf8')) as MultipartState;
  } catch {
    return null;
  }
}

async function saveState(state: MultipartState): Promise<void> {
  const tmp = `${config.stateFile}.tmp`;
  await writeFile(tmp, JSON.stringify(state));
  await rename(tmp, config.stateFile);
  say(`state ${state.partMd5s.filter((m) => m !== null).length}`);
}

const source = await openFilePartSource(config.file);
const started = performance.now();
try {
  const result = await uploadMultipart({
    client: new ObjectStoreClient(config.store),
    bucket: config.bucket,
    key: config.key,
    source,
    identity: source.identity,
    state: await loadState(),
    saveState,
    signal: new AbortController().signal,
    ...(config.options ? { options: config.options } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  say(`done ${JSON.stringify({ ...result, state: undefined, seconds })}`);
} catch (e) {
  say(`error ${JSON.stringify(toAppError(e))}`);
  process.exitCode = 1;
} finally {
  await source.close();
}
// The shared HTTP agent keeps idle connections a few seconds: do not wait for them.
process.stdout.write('', () => process.exit());
