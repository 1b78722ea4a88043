// Runs the IMS emulator on its own, for trying Imagedrop's IMS routes by hand:
//
//   bash scripts/testcloud/up.sh                      # Keystone + Glance (and the object store)
//   node scripts/testcloud/ims-emulator.ts [--port 18090] [--no-progress-api] [--native-limit 2GiB] [--clouds FILE]
//
// It provisions (idempotently) a Keystone domain standing for a Huawei account, projects named
// cn-north-4 and ap-southeast-1 and a user, then listens on 127.0.0.1 and writes
// $IMAGEDROP_TESTCLOUD_DIR/ims/clouds.yaml with three clouds: hw (IAM password), hw-aksk (a
// permanent access key only) and hw-temp (a temporary key with its security token). Ctrl-C stops it.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startImsEmulator } from '../../electron/main/testing/ims-emulator/index.ts';
import { huaweiCloudsYaml } from '../../electron/main/testing/ims-emulator/clouds.ts';
import { TESTCLOUD_DIR, testCloudBackends } from '../../electron/main/testing/ims-emulator/testcloud.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '18090' },
    'no-progress-api': { type: 'boolean', default: false },
    'native-limit': { type: 'string' },
    // Where to write the clouds.yaml (default $IMAGEDROP_TESTCLOUD_DIR/ims/clouds.yaml).
    clouds: { type: 'string' },
  },
});

function bytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m) throw new Error(`--native-limit ${text}: give bytes or a size such as 2GiB`);
  return Math.round(Number(m[1]) * 1024 ** ' kmgt'.indexOf((m[2] || ' ').toLowerCase()));
}

try {
  const backends = await testCloudBackends();
  const emulator = await startImsEmulator({
    ...backends,
    port: Number(values.port),
    progressJobApi: !values['no-progress-api'],
    ...(values['native-limit'] ? { nativeLimit: bytes(values['native-limit']) } : {}),
  });
  const clouds = values.clouds ?? path.join(TESTCLOUD_DIR, 'ims', 'clouds.yaml');
  await mkdir(path.dirname(clouds), { recursive: true });
  await writeFile(clouds, huaweiCloudsYaml(emulator, { bucket: backends.env.OBJSTORE_BUCKET ?? 'images' }));
  process.stdout.write(
    `ims-emulator: listening on ${emulator.url} (region ${emulator.region}, account ${emulator.account.domain}` +
      `${emulator.account.changed.length ? `; provisioned ${emulator.account.changed.join(', ')}` : ''})\n` +
      `ims-emulator: clouds hw, hw-aksk and hw-temp in ${clouds}\n`,
  );
  const stop = () => {
    process.stdout.write('ims-emulator: stopping (waiting for running jobs)\n');
    void emulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (e) {
  process.stderr.write(`ims-emulator: ${(e as Error).message}\n`);
  process.exit(1);
}
