import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RememberedConnections } from '../core/remembered-connections.ts';
import { NoKeychainSecretStore } from './secrets.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-nokeychain-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const manual = {
  kind: 'manual' as const,
  authUrl: 'https://keystone.example.org:5000/v3',
  auth: { type: 'password' as const, username: 'alice', password: 'hunter2', projectName: 'ops' },
  remember: true,
};

describe('NoKeychainSecretStore (imagedrop serve under plain Node)', () => {
  it('offers no remembering, and RememberedConnections refuses it as the app does without a keychain', async () => {
    const store = new NoKeychainSecretStore(path.join(dir, 'secrets.json'));
    expect(store.isAvailable()).toBe(false);
    await expect(store.save()).rejects.toMatchObject({ code: 'serve/no-keychain' });
    const profiles = new RememberedConnections(path.join(dir, 'profiles.json'), store);
    await expect(profiles.remember('lab', manual)).rejects.toThrow(/no secure storage for passwords/);
    await expect(readFile(path.join(dir, 'profiles.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a connection the app remembered cannot be opened: one sentence asks for the password', async () => {
    await writeFile(
      path.join(dir, 'profiles.json'),
      JSON.stringify([
        { label: 'lab', authUrl: manual.authUrl, authType: 'password', username: 'alice', projectName: 'ops' },
      ]),
    );
    const profiles = new RememberedConnections(
      path.join(dir, 'profiles.json'),
      new NoKeychainSecretStore(path.join(dir, 'secrets.json')),
    );
    await expect(profiles.config('lab')).rejects.toMatchObject({
      code: 'serve/no-keychain',
      message: expect.stringMatching(/^The password of 'lab' is kept encrypted by the desktop app's keychain/),
    });
  });

  it("forget removes the app's ciphertext of that secret only", async () => {
    const file = path.join(dir, 'secrets.json');
    await writeFile(file, JSON.stringify({ version: 1, secrets: { 'profile:lab': 'AAAA', 'profile:prod': 'BBBB' } }));
    const store = new NoKeychainSecretStore(file);
    await store.delete('profile:lab');
    await store.delete('profile:none');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, secrets: { 'profile:prod': 'BBBB' } });
  });
});
