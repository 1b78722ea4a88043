// What the emulator cannot be made to answer: IAM with two projects of the same name for one key
// (Huawei's sub-projects), and a token that comes without its catalog. The rest of the session is
// proven against the emulator (ims.int.test.ts).
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveCloud } from '../openstack/cloud-config.ts';
import { HuaweiSession } from './session.ts';

const agent = new MockAgent();
agent.disableNetConnect();
afterEach(() => agent.assertNoPendingInterceptors());

const config = resolveCloud(
  'hw',
  {
    region_name: 'cn-north-4',
    image_service: 'ims',
    ak: 'AK',
    sk: 'SK',
    auth: { auth_url: 'https://iam.cn-north-4.myhuaweicloud.com/v3' },
  },
  'clouds.yaml',
);

describe('the project look-up of an access-key session', () => {
  it('more than one project for the region asks for project_id, naming them', async () => {
    let signed: Record<string, string> = {};
    agent
      .get('https://iam.cn-north-4.myhuaweicloud.com')
      .intercept({ path: '/v3/projects?name=cn-north-4', method: 'GET' })
      .reply((options) => {
        signed = options.headers as Record<string, string>;
        return {
          statusCode: 200,
          data: {
            projects: [
              { id: 'p1', name: 'cn-north-4' },
              { id: 'p2', name: 'cn-north-4' },
            ],
          },
        };
      });
    await expect(HuaweiSession.open(config, AbortSignal.timeout(5000), { dispatcher: agent })).rejects.toMatchObject({
      code: 'auth/project-ambiguous',
      message: "Multiple project ids found for 'cn-north-4' (p1, p2): set project_id in cloud 'hw' to the one to use.",
    });
    // the look-up itself is signed with the key, without a project
    expect(signed.authorization).toMatch(
      /^SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=[0-9a-f]{64}$/,
    );
    expect(signed['x-project-id']).toBeUndefined();
  });

  it('one project: the session takes its id, and IMS and OBS from the host pattern', async () => {
    agent
      .get('https://iam.cn-north-4.myhuaweicloud.com')
      .intercept({ path: '/v3/projects?name=cn-north-4', method: 'GET' })
      .reply(200, { projects: [{ id: 'p1', name: 'cn-north-4' }] });
    const session = await HuaweiSession.open(config, AbortSignal.timeout(5000), { dispatcher: agent });
    expect(session.details).toMatchObject({
      auth: 'access-key',
      projectId: 'p1',
      imsEndpoint: { url: 'https://ims.cn-north-4.myhuaweicloud.com', source: 'pattern' },
      obsEndpoint: { url: 'https://obs.cn-north-4.myhuaweicloud.com', source: 'pattern' },
      user: null,
      expiresAt: null,
    });
  });
});

describe('a token without its catalog', () => {
  it('reads the catalog from GET /v3/auth/catalog with the token', async () => {
    const pw = resolveCloud(
      'hw',
      {
        auth: {
          auth_url: 'https://iam.myhuaweicloud.com/v3',
          username: 'ops',
          password: 'pw',
          user_domain_name: 'acct',
          project_name: 'ap-southeast-3',
        },
      },
      'clouds.yaml',
    );
    const iam = agent.get('https://iam.myhuaweicloud.com');
    let scope: unknown;
    iam.intercept({ path: '/v3/auth/tokens', method: 'POST' }).reply((options) => {
      scope = JSON.parse(String(options.body)).auth.scope;
      return {
        statusCode: 201,
        data: {
          token: {
            expires_at: new Date(Date.now() + 86_400_000).toISOString(),
            issued_at: new Date().toISOString(),
            user: { id: 'u1', name: 'ops', domain: { id: 'd1', name: 'acct' } },
            project: { id: 'p3', name: 'ap-southeast-3', domain: { id: 'd1', name: 'acct' } },
            roles: [{ name: 'te_admin' }],
          },
        },
        responseOptions: { headers: { 'x-subject-token': 'MIIsecret' } },
      };
    });
    let catalogToken: unknown;
    iam.intercept({ path: '/v3/auth/catalog', method: 'GET' }).reply((options) => {
      catalogToken = (options.headers as Record<string, string>)['x-auth-token'];
      return {
        statusCode: 200,
        data: {
          catalog: [
            {
              type: 'image',
              name: 'ims',
              endpoints: [
                { interface: 'public', region_id: 'ap-southeast-3', url: 'https://ims.ap-southeast-3.example.com/v2' },
              ],
            },
          ],
        },
      };
    });
    const session = await HuaweiSession.open(pw, AbortSignal.timeout(5000), { dispatcher: agent });
    expect(scope).toEqual({ project: { name: 'ap-southeast-3' } }); // no domain: the account's own
    expect(catalogToken).toBe('MIIsecret');
    expect(session.details).toMatchObject({
      auth: 'token',
      projectId: 'p3',
      imsEndpoint: { url: 'https://ims.ap-southeast-3.example.com', source: 'catalog' },
      obsEndpoint: { url: 'https://obs.ap-southeast-3.myhuaweicloud.com', source: 'pattern' },
    });
  });
});
