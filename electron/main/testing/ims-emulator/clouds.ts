// clouds.yaml entries for a running IMS emulator, written the way python-otcextensions users keep
// theirs: the IAM auth_url, the account as user_domain_name, the region as project_name, ak/sk.
import type { ImsEmulator } from './index.ts';

export interface HuaweiCloudsOptions {
  readonly bucket?: string;
  /** OBS's endpoint for every cloud (a fault proxy in front of the store, say); else the catalog's. */
  readonly obsEndpoint?: string;
  /** Extra top-level settings for every cloud (e.g. ims_native_upload_limit). */
  readonly extra?: Readonly<Record<string, string>>;
}

export function huaweiCloudsYaml(emulator: ImsEmulator, options: HuaweiCloudsOptions = {}): string {
  const a = emulator.account;
  const permanent = emulator.accessKeys.find((k) => !k.securityToken)!;
  const temporary = emulator.accessKeys.find((k) => k.securityToken);
  const common = [
    `    region_name: ${JSON.stringify(emulator.region)}`,
    '    image_service: ims',
    `    obs_bucket: ${JSON.stringify(options.bucket ?? 'images')}`,
    ...Object.entries(options.extra ?? {}).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`),
  ];
  const obs = JSON.stringify(options.obsEndpoint ?? emulator.s3Endpoint);
  const lines = [
    'clouds:',
    '  hw:',
    '    auth:',
    `      auth_url: ${emulator.url}/v3`,
    `      username: ${JSON.stringify(a.user)}`,
    `      password: ${JSON.stringify(a.password)}`,
    `      user_domain_name: ${JSON.stringify(a.domain)}`,
    `      project_name: ${JSON.stringify(emulator.region)}`,
    ...common,
    ...(options.obsEndpoint ? [`    obs_endpoint_override: ${obs}`] : []),
    `    ak: ${JSON.stringify(permanent.accessKey)}`,
    `    sk: ${JSON.stringify(permanent.secretKey)}`,
    '  hw-aksk:',
    '    auth:',
    `      auth_url: ${emulator.url}/v3`,
    `      project_name: ${JSON.stringify(emulator.region)}`,
    ...common,
    `    image_endpoint_override: ${JSON.stringify(emulator.url)}`,
    `    obs_endpoint_override: ${obs}`,
    `    ak: ${JSON.stringify(permanent.accessKey)}`,
    `    sk: ${JSON.stringify(permanent.secretKey)}`,
  ];
  if (temporary) {
    lines.push(
      '  hw-temp:',
      '    auth:',
      `      auth_url: ${emulator.url}/v3`,
      `      project_name: ${JSON.stringify(emulator.region)}`,
      ...common,
      `    image_endpoint_override: ${JSON.stringify(emulator.url)}`,
      `    obs_endpoint_override: ${obs}`,
      `    ak: ${JSON.stringify(temporary.accessKey)}`,
      `    sk: ${JSON.stringify(temporary.secretKey)}`,
      `    security_token: ${JSON.stringify(temporary.securityToken)}`,
    );
  }
  return lines.join('\n') + '\n';
}
