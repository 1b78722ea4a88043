// What the emulator cannot be made to answer: IAM with two projects of the same name for one key
// (Huawei's sub-projects). The rest of the session is proven against the emulator (ims.int.test.ts).
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
