// The competitor of bench/objstore.bench.ts: Huawei's esdk-obs-nodejs `uploadFile` (multipart,
// TaskNum parts at a time, its checkpoint on), into the loopback store, in its own process so its
// peak RSS is its own. `node bench/esdk-upload-child.ts CONFIG_JSON`; prints one JSON line:
// { status, etag, seconds } (seconds: the uploadFile call alone).
import { createRequire } from 'node:module';

interface Config {
  file: string;
  key: string;
  bucket: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  partSize: number;
  taskNum: number;
  checkpointFile: string;
}

/** The part of esdk-obs-nodejs this uses (the package has no types). */
interface EsdkResult {
  CommonMsg: { Status: number; Code: string; Message: string };
  InterfaceResult?: { ETag?: string };
}
interface EsdkClient {
  uploadFile(params: Record<string, unknown>): Promise<EsdkResult>;
  close(): void;
}

const config = JSON.parse(process.argv[2]!) as Config;
const ObsClient = createRequire(import.meta.url)('esdk-obs-nodejs') as new (
  options: Record<string, unknown>,
) => EsdkClient;
const obs = new ObsClient({
  access_key_id: config.accessKeyId,
  secret_access_key: config.secretAccessKey,
  server: config.endpoint,
  signature: 'v2',
  path_style: true,
  is_signature_negotiation: false,
  max_retry_count: 0,
  timeout: 600,
});
// esdk 3.26.8's constructor starts an async initialisation it does not wait for; a call made at
// once finds no signature settings (measured: "Cannot read properties of null (reading 'signature')").
await new Promise((r) => setTimeout(r, 50));
const started = performance.now();
const result = await obs.uploadFile({
  Bucket: config.bucket,
  Key: config.key,
  UploadFile: config.file,
  PartSize: config.partSize,
  TaskNum: config.taskNum,
  EnableCheckpoint: true,
  CheckpointFile: config.checkpointFile,
});
const seconds = (performance.now() - started) / 1000;
obs.close();
process.stdout.write(
  `${JSON.stringify({ status: result.CommonMsg.Status, code: result.CommonMsg.Code, etag: result.InterfaceResult?.ETag, seconds })}\n`,
);
process.exit(0);
