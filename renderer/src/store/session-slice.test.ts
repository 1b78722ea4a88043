import '../testing/setup.ts';
import { describe, expect, it } from 'vitest';
import { makeCloud, makeError, makeImage, makeSession } from '../testing/fixtures.ts';
import { useAppStore } from './index.ts';

const state = () => useAppStore.getState();

describe('session slice', () => {
  it('starts unknown, then follows getSession()', () => {
    expect(state().connection).toBe('unknown');
    state().sessionLoaded(null);
    expect(state().connection).toBe('disconnected');
    state().sessionLoaded(makeSession());
    expect(state().connection).toBe('connected');
    expect(state().session?.user.name).toBe('alice');
  });

  it('goes connecting → connected and forgets an earlier error', () => {
    state().connectFailed(makeError({ code: 'auth/invalid-credentials', message: 'Wrong password.' }));
    expect(state().connectError?.message).toBe('Wrong password.');
    state().connectStarted();
    expect(state().connection).toBe('connecting');
    expect(state().connectError).toBeNull();
    state().connectSucceeded(makeSession());
    expect(state().connection).toBe('connected');
  });

  it('a late start-up getSession() answer does not undo a connect', () => {
    state().connectStarted();
    state().sessionLoaded(null);
    expect(state().connection).toBe('connecting');
  });

  it('keeps the error as returned when connect fails', () => {
    const error = makeError({ code: 'network/tls', message: 'The certificate is not trusted.', detail: 'self-signed' });
    state().connectStarted();
    state().connectFailed(error);
    expect(state().connectError).toBe(error);
    expect(state().connection).toBe('disconnected');
  });

  it('disconnecting clears the session and the dashboard; a failed disconnect keeps the session', () => {
    const session = makeSession();
    state().connectSucceeded(session);
    state().imagesReceived({ images: [makeImage()], pages: 1, fetchedAt: 1 });
    state().disconnectStarted();
    state().disconnectFinished(session);
    expect(state().session).toBe(session);
    state().disconnectFinished(null);
    expect(state().session).toBeNull();
    expect(state().images).toEqual([]);
    expect(state().imagesFetchedAt).toBeNull();
  });

  it('stores the cloud list or its error', () => {
    state().cloudsReceived([makeCloud()]);
    expect(state().clouds).toHaveLength(1);
    expect(state().cloudsLoaded).toBe(true);
    state().cloudsFailed(makeError({ message: 'clouds.yaml is not valid YAML.' }));
    expect(state().cloudsError?.message).toBe('clouds.yaml is not valid YAML.');
  });

  it('switching to another cloud (the header) clears the old cloud’s dashboard list; the same cloud keeps it', () => {
    state().connectSucceeded(makeSession({ cloudKey: 'k|a|RegionOne' }));
    useAppStore.setState({ images: [makeImage()], selectedImageIds: ['x'], imagesFetchedAt: 1 });
    state().connectSucceeded(makeSession({ cloudKey: 'k|a|RegionOne' }));
    expect(state().images).toHaveLength(1);
    state().connectSucceeded(makeSession({ cloudKey: 'k|b|RegionOne', cloud: 'other' }));
    expect(state().session?.cloud).toBe('other');
    expect(state().images).toEqual([]);
    expect(state().selectedImageIds).toEqual([]);
    expect(state().imagesFetchedAt).toBeNull();
  });

  it('a connect overtaken by a later one changes nothing: the later one decides', () => {
    state().connectSucceeded(makeSession({ cloud: 'a' }));
    state().connectStarted();
    state().connectStarted();
    state().connectFailed(makeError({ code: 'auth/superseded', message: 'overtaken' }));
    expect(state().connection).toBe('connecting');
    expect(state().connectError).toBeNull();
    state().connectSucceeded(makeSession({ cloud: 'b' }));
    expect(state().session?.cloud).toBe('b');
  });
});
