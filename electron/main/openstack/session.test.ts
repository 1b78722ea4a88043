// The renew margin for tokens the real test cloud cannot issue: Keystone's token lifetime is a
// server setting ([token] expiration, one hour there), so a short-lived token comes from MockAgent.
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCloud } from './cloud-config.ts';
import { RENEW_BEFORE_EXPIRY_MS, renewMargin, Session } from './session.ts';

const KEYSTONE = 'http://keystone.test:5000';
let agent: MockAgent;
let signIns: number;
let fakeNow: number;
const LIFETIME_MS = 4 * 60_000;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  signIns = 0;
  fakeNow = Date.parse('2026-01-01T00:00:00Z');
  agent
    .get(KEYSTONE)
    .intercept({ path: '/v3/auth/tokens', method: 'POST' })
    .reply(() => {
      signIns += 1;
      return {
        statusCode: 201,
        data: {
          token: {
            issued_at: new Date(fakeNow).toISOString(),
            expires_at: new Date(fakeNow + LIFETIME_MS).toISOString(),
            user: { id: 'u1', name: 'alice' },
            project: { id: 'p1', name: 'ops' },
            roles: [],
            catalog: [{ type: 'image', endpoints: [{ interface: 'public', url: 'http://glance.test:9292' }] }],
          },
        },
        responseOptions: { headers: { 'x-subject-token': `token-${signIns}` } },
      };
    })
    .persist();
});

afterEach(async () => {
  await agent.close();
});

describe('renew margin', () => {
  it('is 5 minutes for a long token and half the life of a short one', () => {
    const at = (ms: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + ms);
    expect(renewMargin({ issuedAt: at(0), expiresAt: at(3600_000) })).toBe(RENEW_BEFORE_EXPIRY_MS);
    expect(renewMargin({ issuedAt: at(0), expiresAt: at(4 * 60_000) })).toBe(2 * 60_000);
  });

  it('a 4-minute token is used for 2 minutes, not renewed before every call', async () => {
    const config = resolveCloud(
      'short',
      { auth: { auth_url: `${KEYSTONE}/v3`, username: 'alice', password: 'pw', project_name: 'ops' } },
      'test',
    );
    const session = await Session.open(config, AbortSignal.timeout(5000), () => fakeNow, agent);
    expect(await session.token(AbortSignal.timeout(5000))).toBe('token-1');
    const issued = fakeNow;
    fakeNow = issued + 60_000;
    expect(await session.token(AbortSignal.timeout(5000))).toBe('token-1');
    expect(await session.token(AbortSignal.timeout(5000))).toBe('token-1');
    expect(signIns).toBe(1);
    fakeNow = issued + 2 * 60_000 + 1;
    expect(await session.token(AbortSignal.timeout(5000))).toBe('token-2');
    expect(signIns).toBe(2);
  });
});
