import '../testing/setup.ts';
import { waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeCloud, makeInspection, makeSnapshot } from '../testing/fixtures.ts';
import { installFakeApi } from '../testing/setup.ts';
import { connectBridge } from './connect-bridge.ts';
import { useAppStore } from './index.ts';

const state = () => useAppStore.getState();

describe('connectBridge', () => {
  it('loads restored jobs as they were left, the session and the clouds, and opens the queue', async () => {
    const restored = makeSnapshot({ id: 'r', phase: 'interrupted', resume: { kind: 'restart' } });
    const api = installFakeApi({ connected: true, uploads: [restored], clouds: [makeCloud()] });
    const off = connectBridge();
    await waitFor(() => expect(state().view).toBe('queue'));
    expect(state().uploads.r).toEqual(restored);
    expect(state().clouds).toHaveLength(1);
    expect(state().connection).toBe('connected');
    off();
    expect(api.listenerCount).toBe(0);
  });

  it('opens Add images when connected with an empty queue, and stays on Connect otherwise', async () => {
    installFakeApi({ connected: true });
    connectBridge();
    await waitFor(() => expect(state().view).toBe('add'));
  });

  it('stays on Connect when there is no session', async () => {
    installFakeApi();
    connectBridge();
    await waitFor(() => expect(state().connection).toBe('disconnected'));
    expect(state().view).toBe('connect');
  });

  it('applies every pushed batch to the store', async () => {
    const api = installFakeApi();
    connectBridge();
    await waitFor(() => expect(state().uploadsLoaded).toBe(true));
    api.emit([makeSnapshot({ id: 'x', bytesSent: 5 })]);
    expect(state().uploads.x?.bytesSent).toBe(5);
  });

  it('adds files opened from the OS and inspects them', async () => {
    const api = installFakeApi({ files: { '/home/a.qcow2': makeInspection() } });
    connectBridge();
    api.openFiles(['/home/a.qcow2']);
    expect(state().view).toBe('add');
    await waitFor(() => expect(state().drafts['/home/a.qcow2']?.status).toBe('inspected'));
  });
});
