// What the real test cloud cannot be made to answer on demand: 500 and 503 (and the 502/504 a
// proxy sends), through undici's MockAgent with real network access disabled.
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImagedropError } from '../errors.ts';
import { resolveCloud } from './cloud-config.ts';
import { GlanceClient } from './glance.ts';
import { Session } from './session.ts';

const KEYSTONE = 'http://keystone.test:5000';
const GLANCE = 'http://glance.test:9292';

let agent: MockAgent;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  agent
    .get(KEYSTONE)
    .intercept({ path: '/v3/auth/tokens', method: 'POST' })
    .reply(
      201,
      {
        token: {
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          user: { id: 'u1', name: 'alice', domain: { id: 'default', name: 'Default' } },
          project: { id: 'p1', name: 'ops', domain: { id: 'default', name: 'Default' } },
          roles: [{ name: 'member' }],
          catalog: [{ type: 'image', endpoints: [{ interface: 'public', region_id: 'R1', url: `${GLANCE}/v2` }] }],
        },
      },
      { headers: { 'x-subject-token': 'gAAAA-mock-token' } },
    )
    .persist();
});

afterEach(async () => {
  await agent.close();
});

async function client(): Promise<GlanceClient> {
  const config = resolveCloud(
    'mock',
    { auth: { auth_url: `${KEYSTONE}/v3`, username: 'alice', password: 'pw', project_name: 'ops' } },
    'test',
  );
  return new GlanceClient(await Session.open(config, AbortSignal.timeout(5000), Date.now, agent));
}

describe('image service answers the real cloud cannot be made to give', () => {
  it.each([
    [500, 'glance/server-error', /internal error/],
    [502, 'glance/unavailable', /proxy/],
    [503, 'glance/unavailable', /unavailable right now \(503\)/],
    [504, 'glance/unavailable', /timed out/],
  ])('%i → %s, retryable, with the server message kept', async (status, code, sentence) => {
    agent
      .get(GLANCE)
      .intercept({ path: '/v2/images/abc', method: 'GET' })
      .reply(status, { message: 'Something broke<br /><br />\n\n\n', code: `${status} X`, title: 'X' });
    const glance = await client();
    const e = (await glance.getImage('abc', AbortSignal.timeout(5000)).catch((x: unknown) => x)) as ImagedropError;
    expect(e).toBeInstanceOf(ImagedropError);
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(true);
    expect(e.httpStatus).toBe(status);
    expect(e.message).toMatch(sentence);
    expect(e.serverMessage).toBe('Something broke');
  });

  it('uses the versioned catalog endpoint as the API root', async () => {
    agent.get(GLANCE).intercept({ path: '/v2/images/xyz', method: 'GET' }).reply(200, { id: 'xyz', status: 'queued' });
    const glance = await client();
    expect(glance.session.imageRoot).toBe(GLANCE);
    expect((await glance.getImage('xyz', AbortSignal.timeout(5000))).status).toBe('queued');
  });

  it('sends the token and Accept: application/json on every call', async () => {
    let seen: Record<string, string> = {};
    agent
      .get(GLANCE)
      .intercept({ path: '/v2/images/h', method: 'GET' })
      .reply(200, (opts) => {
        seen = opts.headers as Record<string, string>;
        return { id: 'h', status: 'active' };
      });
    const glance = await client();
    await glance.getImage('h', AbortSignal.timeout(5000));
    expect(seen['x-auth-token']).toBe('gAAAA-mock-token');
    expect(seen.accept).toBe('application/json');
  });
});
