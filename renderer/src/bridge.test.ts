import './testing/setup.ts';
import { describe, expect, it, vi } from 'vitest';
import type { ImagedropApi } from '../../shared/ipc.ts';
import {
  addPaths,
  clearUploads,
  connect,
  copyText,
  deleteImages,
  dropFiles,
  forgetConnection,
  getApi,
  hasApi,
  loadImages,
  pauseUploads,
  requestResume,
  setApi,
  startUploads,
} from './bridge.ts';
import { useAppStore } from './store/index.ts';
import { makeError, makeImage, makeInspection, makeSnapshot } from './testing/fixtures.ts';
import { installFakeApi } from './testing/setup.ts';

const state = () => useAppStore.getState();

describe('bridge commands', () => {
  it('reads the API from window.imagedrop unless a test API is set', () => {
    expect(hasApi()).toBe(false);
    expect(() => getApi()).toThrow(/window.imagedrop is missing/);
    const api = installFakeApi();
    expect(getApi()).toBe(api);
    setApi(null);
    window.imagedrop = api;
    expect(getApi()).toBe(api);
    delete window.imagedrop;
  });

  it('puts a failed command’s error in the ui slice, as returned', async () => {
    const api = installFakeApi();
    api.failNext('pauseUploads', makeError({ code: 'ipc/unknown-upload', message: 'No such upload.' }));
    await pauseUploads(['nope']);
    expect(state().notices[0]).toMatchObject({
      tone: 'error',
      code: 'ipc/unknown-upload',
      message: 'Could not pause: No such upload.',
    });
  });

  it('turns a rejected call into an error notice instead of throwing', async () => {
    const api = installFakeApi();
    const broken: ImagedropApi = Object.assign(Object.create(api) as ImagedropApi, {
      pauseUploads: () => Promise.reject(new Error('ipc closed')),
    });
    setApi(broken);
    await expect(pauseUploads('all')).resolves.toBeUndefined();
    expect(state().notices[0]?.message).toContain('ipc closed');
  });

  it('keeps a connect error on the form, not in notices', async () => {
    const api = installFakeApi();
    api.failNext('connect', makeError({ code: 'auth/invalid-credentials', message: 'The password is wrong.' }));
    expect(await connect({ kind: 'cloud', cloud: 'x' })).toBe(false);
    expect(state().connectError?.message).toBe('The password is wrong.');
    expect(state().notices).toEqual([]);
    expect(await connect({ kind: 'cloud', cloud: 'x' })).toBe(true);
    expect(state().session?.cloud).toBe('x');
  });

  it('maps dropped files to paths with pathForFile, then inspects them in one call', async () => {
    const api = installFakeApi({ files: { '/dropped/a.qcow2': makeInspection() } });
    await dropFiles([
      { name: 'a.qcow2', size: 1 },
      { name: 'b.raw', size: 1 },
    ]);
    expect(api.callsOf('inspectFiles')).toEqual([[['/dropped/a.qcow2', '/dropped/b.raw']]]);
    expect(state().drafts['/dropped/a.qcow2']?.status).toBe('inspected');
    expect(state().drafts['/dropped/b.raw']?.status).toBe('error');
  });

  it('reports dropped items that have no path and skips them', async () => {
    const api = installFakeApi();
    api.pathForFile = () => '';
    await dropFiles([{ name: 'folder', size: 0 }]);
    expect(api.callsOf('inspectFiles')).toEqual([]);
    expect(state().notices[0]?.message).toBe('1 dropped item is not a local file and was ignored.');
  });

  it('marks drafts failed when inspectFiles itself fails', async () => {
    const api = installFakeApi();
    api.failNext('inspectFiles', makeError({ message: 'Main is busy.' }));
    await addPaths(['/a.qcow2']);
    expect(state().drafts['/a.qcow2']?.status).toBe('error');
    expect(state().notices[0]?.message).toContain('Main is busy.');
  });

  it('starts uploads, drops their drafts and opens the queue', async () => {
    const api = installFakeApi({ connected: true, files: { '/a.qcow2': makeInspection() } });
    await addPaths(['/a.qcow2']);
    const ok = await startUploads(
      [{ path: '/a.qcow2', name: 'a', diskFormat: 'qcow2', containerFormat: 'bare', visibility: 'private' }],
      ['/a.qcow2'],
    );
    expect(ok).toBe(true);
    expect(api.callsOf('startUploads')).toHaveLength(1);
    expect(state().draftOrder).toEqual([]);
    expect(state().view).toBe('queue');
  });

  it('keeps the drafts when startUploads fails', async () => {
    installFakeApi({ connected: false, files: { '/a.qcow2': makeInspection() } });
    await addPaths(['/a.qcow2']);
    const ok = await startUploads(
      [{ path: '/a.qcow2', name: 'a', diskFormat: 'qcow2', containerFormat: 'bare', visibility: 'private' }],
      ['/a.qcow2'],
    );
    expect(ok).toBe(false);
    expect(state().draftOrder).toEqual(['/a.qcow2']);
    expect(state().notices[0]?.code).toBe('auth/not-connected');
  });

  it('resumes plain jobs at once and asks before a recreate', async () => {
    const api = installFakeApi();
    state().applySnapshots([
      makeSnapshot({ id: 'p', phase: 'paused', resume: { kind: 'continue', percent: 43 } }),
      makeSnapshot({ id: 'r', phase: 'interrupted', resume: { kind: 'recreate', imageStatus: 'saving' } }),
    ]);
    await requestResume(['p', 'r']);
    expect(api.callsOf('resumeUploads')).toEqual([[['p']]]);
    expect(state().confirmation).toEqual({ kind: 'resume-recreate', uploadIds: ['r'] });
  });

  it('clears finished jobs in main; the removal comes back as an onUploadsRemoved event', async () => {
    const done = makeSnapshot({ id: 'done', phase: 'done' });
    const running = makeSnapshot({ id: 'run' });
    const api = installFakeApi({ uploads: [done, running] });
    state().applySnapshots([done, running]);
    api.onUploadsRemoved((ids) => state().removeUploads(ids)); // what connectBridge() subscribes
    await clearUploads(['done']);
    expect(api.callsOf('clearUploads')).toEqual([[['done']]]);
    expect(api.callsOf('listUploads')).toHaveLength(0);
    expect(state().uploadOrder).toEqual(['run']);
  });

  it('deletes images, records each outcome with its name, and reloads the list', async () => {
    const api = installFakeApi({
      connected: true,
      images: [makeImage({ id: 'a', name: 'A' }), makeImage({ id: 'b', name: 'B', ownedByProject: false })],
      // What main answers for another project's image (its rule: electron/main/core/dashboard.ts).
      deleteErrors: {
        b: {
          code: 'auth/forbidden',
          message: "Image B belongs to another project: Imagedrop only deletes your project's images.",
          retryable: false,
        },
      },
    });
    await loadImages();
    await deleteImages(['a', 'b']);
    expect(state().deleteOutcomes.map((o) => [o.id, o.name, o.ok])).toEqual([
      ['a', 'A', true],
      ['b', 'B', false],
    ]);
    expect(api.callsOf('listImages')).toHaveLength(2);
    expect(state().images.map((i) => i.id)).toEqual(['b']);
  });

  it('drops a listImages answer that arrives after the session ended', async () => {
    const api = installFakeApi({ connected: true, images: [makeImage({ id: 'a' })] });
    state().connectSucceeded(api.sessionTemplate);
    let answer: (() => void) | null = null;
    const slow = Object.assign(Object.create(api) as ImagedropApi, {
      listImages: () => new Promise((resolve) => (answer = () => resolve(api.listImages()))),
    });
    setApi(slow);
    const loading = loadImages();
    state().disconnectStarted();
    state().disconnectFinished(null);
    answer!();
    await loading;
    expect(state().images).toEqual([]);
    expect(state().imagesFetchedAt).toBeNull();
    expect(state().imagesLoading).toBe(false);
  });

  it('an answer dropped because the cloud changed ends the read: "Refreshing…" does not stick', async () => {
    const api = installFakeApi({ connected: true, images: [makeImage({ id: 'a' })] });
    state().connectSucceeded(api.sessionTemplate);
    let answer: (() => void) | null = null;
    const slow = Object.assign(Object.create(api) as ImagedropApi, {
      listImages: () => new Promise((resolve) => (answer = () => resolve(api.listImages()))),
    });
    setApi(slow);
    const loading = loadImages();
    expect(state().imagesLoading).toBe(true);
    // Connected to another cloud while the read ran (no disconnect in between).
    state().connectSucceeded({ ...api.sessionTemplate, cloud: 'other', cloudKey: 'other-key' });
    answer!();
    await loading;
    expect(state().images).toEqual([]);
    expect(state().imagesLoading).toBe(false);
  });

  it('a read that throws does not block later refreshes: its follow-up still runs, and the next one too', async () => {
    const api = installFakeApi({ connected: true, images: [makeImage({ id: 'a' })] });
    state().connectSucceeded(api.sessionTemplate);
    const answers: ((value: unknown) => void)[] = [];
    const slow = Object.assign(Object.create(api) as ImagedropApi, {
      listImages: () => new Promise((resolve) => answers.push(resolve)),
    });
    setApi(slow);
    const first = loadImages();
    const followUp = loadImages();
    // A broken answer makes the read itself throw (imagesReceived cannot read it).
    answers.shift()!({ ok: true, value: null });
    await expect(first).rejects.toThrow();
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    answers.shift()!(await api.listImages());
    await followUp;
    expect(state().images.map((i) => i.id)).toEqual(['a']);
    // Later: a refresh asked for while a read runs gets its follow-up read.
    const third = loadImages();
    const fourth = loadImages();
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    answers.shift()!(await api.listImages());
    await third;
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    answers.shift()!(await api.listImages());
    await fourth;
    expect(answers).toHaveLength(0);
  });

  it('a refresh asked for while one runs is not dropped: one more read follows', async () => {
    const api = installFakeApi({ connected: true, images: [makeImage({ id: 'a' })] });
    state().connectSucceeded(api.sessionTemplate);
    const answers: (() => void)[] = [];
    const slow = Object.assign(Object.create(api) as ImagedropApi, {
      listImages: () => new Promise((resolve) => answers.push(() => resolve(api.listImages()))),
    });
    setApi(slow);
    const first = loadImages();
    // Two more asks while the first read runs (say, the timer and a delete): one follow-up read.
    const second = loadImages();
    const third = loadImages();
    api.images = [makeImage({ id: 'a' }), makeImage({ id: 'b' })];
    answers.shift()!();
    await first;
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    answers.shift()!();
    await Promise.all([second, third]);
    expect(answers).toHaveLength(0);
    expect(state().images.map((i) => i.id)).toEqual(['a', 'b']);
  });

  it('a remembered connection joins the cloud list at once; forgetting takes it out', async () => {
    // Main remembered it: the clouds it lists after the connect include it.
    const api = installFakeApi({
      cloudsAfterConnect: [
        { name: 'Lab cloud', source: 'remembered', authUrl: 'https://keystone.example.org:5000/v3', warnings: [] },
      ],
    });
    await connect({
      kind: 'manual',
      authUrl: 'https://keystone.example.org:5000/v3',
      auth: { type: 'password', username: 'alice', password: 'pw', projectName: 'demo' },
      remember: true,
      label: 'Lab cloud',
    });
    expect(state().clouds.map((c) => [c.name, c.source])).toEqual([['Lab cloud', 'remembered']]);
    expect(await forgetConnection('Lab cloud')).toBe(true);
    expect(api.callsOf('forgetConnection')).toEqual([['Lab cloud']]);
    expect(state().clouds).toEqual([]);
    expect(state().notices.at(-1)?.message).toMatch(/Lab cloud forgotten/);
  });

  it('copies text through main and says so', async () => {
    const api = installFakeApi();
    await copyText('abc', 'image ID');
    expect(api.clipboard).toBe('abc');
    expect(state().notices[0]).toMatchObject({ tone: 'info', message: 'Image ID copied.' });
  });
});
