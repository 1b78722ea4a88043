import { describe, expect, it } from 'vitest';
import { cookieValue, FAILURE_WINDOW_MS, MAX_FAILURES, MAX_SESSIONS, SignIn } from './auth.ts';

describe('SignIn', () => {
  it('gives a fresh session per exchange; the cookie never holds the secret', () => {
    const signIn = new SignIn({ tls: false });
    const a = signIn.exchange(signIn.secret);
    const b = signIn.exchange(signIn.secret);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.cookie).not.toBe(b.cookie);
    expect(a.cookie).not.toContain(signIn.secret);
    expect(signIn.isSignedIn(`other=1; ${signIn.cookieName}=${a.cookie}`)).toBe(true);
    expect(signIn.isSignedIn(`${signIn.cookieName}=${b.cookie}`)).toBe(true);
    expect(signIn.isSignedIn(`${signIn.cookieName}=${signIn.secret}`)).toBe(false);
    expect(signIn.isSignedIn(undefined)).toBe(false);
  });

  it('limits failed exchanges per window, the right secret included, then lets it through', () => {
    let now = 0;
    const signIn = new SignIn({ tls: false, now: () => now });
    for (let i = 0; i < MAX_FAILURES; i += 1) {
      now += 1000;
      expect(signIn.exchange(`wrong-${i}`)).toEqual({ ok: false, reason: 'wrong' });
    }
    expect(signIn.exchange(signIn.secret)).toEqual({ ok: false, reason: 'limited', retryAfterSeconds: 51 });
    now = 1000 + FAILURE_WINDOW_MS; // the first failure leaves the window
    expect(signIn.exchange(signIn.secret).ok).toBe(true);
  });

  it('keeps at most MAX_SESSIONS, the oldest going first', () => {
    const signIn = new SignIn({ tls: false });
    const first = signIn.exchange(signIn.secret);
    for (let i = 0; i < MAX_SESSIONS; i += 1) signIn.exchange(signIn.secret);
    expect(first.ok && signIn.isSignedIn(`${signIn.cookieName}=${first.cookie}`)).toBe(false);
  });

  it('cookies: HttpOnly and SameSite=Strict; under TLS also Secure, with the __Host- prefix', () => {
    const plain = new SignIn({ tls: false });
    expect(plain.setCookie('s')).toBe(`${plain.cookieName}=s; Path=/; HttpOnly; SameSite=Strict`);
    const tls = new SignIn({ tls: true });
    expect(tls.cookieName).toMatch(/^__Host-imagedrop-[0-9a-f]{12}$/);
    expect(tls.setCookie('s')).toMatch(/; Secure$/);
    expect(new SignIn({ tls: false }).cookieName).not.toBe(plain.cookieName);
  });

  it('reads one cookie of a header', () => {
    expect(cookieValue('a=1; b = 2 ;c=3', 'b')).toBe('2');
    expect(cookieValue('ab=1', 'a')).toBeUndefined();
  });
});
