import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { safeStorage } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fake, resetFake } from '../testing/fake-electron.ts';
import { SafeStorageSecretStore } from './secrets.ts';

vi.mock('electron', async () => (await import('../testing/fake-electron.ts')).electronModule());

const SECRET = 'correct horse battery staple';
let dir: string;
let file: string;

async function store(platform: NodeJS.Platform = 'linux'): Promise<SafeStorageSecretStore> {
  const s = new SafeStorageSecretStore(file, platform);
  await s.init();
  return s;
}

beforeEach(async () => {
  resetFake();
  vi.clearAllMocks();
  dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-secrets-'));
  file = path.join(dir, 'secrets.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SafeStorageSecretStore', () => {
  it('sets a damaged secrets file aside instead of overwriting every secret in it', async () => {
    await writeFile(file, '{"version": 1, "secrets": {"profile:a": "AAAA"'); // cut short
    const s = await store();
    expect(await s.load('profile:a')).toBeNull();
    await s.save('profile:b', SECRET);
    const names = (await readdir(dir)).sort();
    expect(names[0]).toBe('secrets.json');
    expect(names[1]).toMatch(/^secrets\.json\.unreadable-\d+$/);
    expect(await readFile(path.join(dir, names[1]!), 'utf8')).toContain('profile:a'); // nothing lost
    expect(await s.load('profile:b')).toBe(SECRET);
  });

  it('round-trips a secret through safeStorage, also across instances', async () => {
    const s = await store();
    expect(s.isAvailable()).toBe(true);
    await s.save('profile:lab', SECRET);
    expect(await s.load('profile:lab')).toBe(SECRET);
    expect(await (await store()).load('profile:lab')).toBe(SECRET);
    expect(safeStorage.encryptStringAsync).toHaveBeenCalledWith(SECRET);
  });

  it('writes only base64 ciphertext: the secret is nowhere in the folder, in any encoding', async () => {
    const s = await store();
    await s.save('profile:lab', SECRET);
    await s.save('profile:other', 'hunter2-hunter2');
    const names = await readdir(dir);
    expect(names).toEqual(['secrets.json']); // no temp file left behind
    const text = await readFile(file, 'utf8');
    const data = JSON.parse(text) as { version: number; secrets: Record<string, string> };
    expect(data.version).toBe(1);
    expect(Object.keys(data.secrets).sort()).toEqual(['profile:lab', 'profile:other']);
    for (const needle of [
      SECRET,
      'hunter2',
      Buffer.from(SECRET).toString('base64'),
      Buffer.from(SECRET).toString('hex'),
    ]) {
      expect(text).not.toContain(needle);
    }
    const ciphertext = Buffer.from(data.secrets['profile:lab'] ?? '', 'base64');
    expect(ciphertext.toString('utf8')).not.toContain(SECRET);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('deletes a secret', async () => {
    const s = await store();
    await s.save('a', 'one');
    await s.save('b', 'two');
    await s.delete('a');
    await s.delete('missing');
    expect(await s.load('a')).toBeNull();
    expect(await (await store()).load('b')).toBe('two');
  });

  it('keeps concurrent saves (writes are serialised)', async () => {
    const s = await store();
    await Promise.all(Array.from({ length: 10 }, (_, i) => s.save(`k${i}`, `secret-${i}`)));
    const fresh = await store();
    for (let i = 0; i < 10; i++) expect(await fresh.load(`k${i}`)).toBe(`secret-${i}`);
  });

  it('refuses to remember anything when the OS cannot encrypt, and writes nothing', async () => {
    fake.encryption.available = false;
    const s = await store();
    expect(s.isAvailable()).toBe(false);
    await expect(s.save('profile:lab', SECRET)).rejects.toMatchObject({ code: 'internal' });
    expect(await readdir(dir)).toEqual([]);
    expect(safeStorage.encryptStringAsync).not.toHaveBeenCalled();
  });

  it("treats Linux's basic_text backend (a built-in key) as no encryption", async () => {
    fake.encryption.backend = 'basic_text';
    expect((await store('linux')).isAvailable()).toBe(false);
    expect((await store('darwin')).isAvailable()).toBe(true);
  });

  it('answers null for a secret the keychain can no longer decrypt, or a damaged file', async () => {
    await writeFile(file, JSON.stringify({ version: 1, secrets: { lab: Buffer.from('garbage').toString('base64') } }));
    expect(await (await store()).load('lab')).toBeNull();
    await writeFile(file, '{ not json');
    const s = await store();
    expect(await s.load('lab')).toBeNull();
    await s.save('lab', SECRET); // a damaged file is replaced, not a reason to fail
    expect(await (await store()).load('lab')).toBe(SECRET);
  });

  it('re-encrypts when safeStorage says the key was rotated', async () => {
    const s = await store();
    await s.save('lab', SECRET);
    fake.encryption.shouldReEncrypt = true;
    vi.mocked(safeStorage.encryptStringAsync).mockClear();
    expect(await s.load('lab')).toBe(SECRET);
    expect(safeStorage.encryptStringAsync).toHaveBeenCalledWith(SECRET);
  });
});
