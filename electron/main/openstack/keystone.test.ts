import { describe, expect, it } from 'vitest';
import { authRequestBody, identityV3Url } from './keystone.ts';

describe('identityV3Url', () => {
  it.each([
    ['http://k:5000', 'http://k:5000/v3'],
    ['http://k:5000/', 'http://k:5000/v3'],
    ['http://k:5000/v3', 'http://k:5000/v3'],
    ['https://h/identity/v3/', 'https://h/identity/v3'],
    ['http://k:5000/v2.0', 'http://k:5000/v3'],
  ])('%s → %s', (input, url) => expect(identityV3Url(input)).toBe(url));
});

describe('authRequestBody', () => {
  it('password with user and project by name and domain', () => {
    expect(
      authRequestBody(
        { type: 'password', username: 'u', password: 'p', userDomainName: 'D' },
        { projectName: 'proj', projectDomainId: 'did' },
      ),
    ).toEqual({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'u', domain: { name: 'D' }, password: 'p' } } },
        scope: { project: { name: 'proj', domain: { id: 'did' } } },
      },
    });
  });

  it('password with user and project by id (no domains needed)', () => {
    expect(authRequestBody({ type: 'password', userId: 'uid', password: 'p' }, { projectId: 'pid' })).toEqual({
      auth: {
        identity: { methods: ['password'], password: { user: { id: 'uid', password: 'p' } } },
        scope: { project: { id: 'pid' } },
      },
    });
  });

  it('names default to the Default domain', () => {
    const body = authRequestBody({ type: 'password', username: 'u', password: 'p' }, { projectName: 'x' }) as {
      auth: { identity: { password: { user: { domain: unknown } } }; scope: { project: { domain: unknown } } };
    };
    expect(body.auth.identity.password.user.domain).toEqual({ name: 'Default' });
    expect(body.auth.scope.project.domain).toEqual({ name: 'Default' });
  });

  it('application credential by id, unscoped (it carries its own project)', () => {
    expect(
      authRequestBody({ type: 'application-credential', id: 'ac', secret: 's' }, { projectName: 'ignored' }),
    ).toEqual({
      auth: { identity: { methods: ['application_credential'], application_credential: { id: 'ac', secret: 's' } } },
    });
  });

  it('application credential by name and user', () => {
    expect(
      authRequestBody(
        { type: 'application-credential', name: 'ci', username: 'u', userDomainId: 'default', secret: 's' },
        {},
      ),
    ).toEqual({
      auth: {
        identity: {
          methods: ['application_credential'],
          application_credential: { name: 'ci', user: { name: 'u', domain: { id: 'default' } }, secret: 's' },
        },
      },
    });
  });

  it('an existing token, rescoped to the project', () => {
    expect(authRequestBody({ type: 'token', token: 't' }, { projectId: 'p' })).toEqual({
      auth: { identity: { methods: ['token'], token: { id: 't' } }, scope: { project: { id: 'p' } } },
    });
  });
});
