// Signing a browser in to `imagedrop serve`: the secret in the printed URL is exchanged for a
// session cookie (HttpOnly, SameSite=Strict, Secure under TLS), and then leaves the address bar
// (the exchange answers with a redirect to /). The secret can be exchanged again (a second
// browser, or this one after a restart), but failed exchanges are limited: past MAX_FAILURES in
// FAILURE_WINDOW_MS every exchange is refused, the right secret too, until the window has moved on.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_BYTES = 32;
export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_MS = 60_000;
/** Signed-in browsers kept; the oldest goes first. */
export const MAX_SESSIONS = 64;

export interface SignInOptions {
  readonly secret?: string;
  readonly now?: () => number;
  readonly maxFailures?: number;
  readonly failureWindowMs?: number;
  readonly tls: boolean;
}

export type Exchange =
  | { readonly ok: true; readonly cookie: string }
  | { readonly ok: false; readonly reason: 'wrong' }
  | { readonly ok: false; readonly reason: 'limited'; readonly retryAfterSeconds: number };

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The value of one cookie in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export class SignIn {
  readonly secret: string;
  /** Differs per server, so that two servers on one host (ports do not separate cookies) keep theirs apart. */
  readonly cookieName: string;
  readonly #secretDigest: Buffer;
  readonly #sessions = new Map<string, number>();
  readonly #failures: number[] = [];
  readonly #now: () => number;
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #tls: boolean;

  constructor(options: SignInOptions) {
    this.secret = options.secret ?? randomBytes(SECRET_BYTES).toString('base64url');
    this.#secretDigest = digest(this.secret);
    this.#now = options.now ?? Date.now;
    this.#maxFailures = options.maxFailures ?? MAX_FAILURES;
    this.#windowMs = options.failureWindowMs ?? FAILURE_WINDOW_MS;
    this.#tls = options.tls;
    const id = randomBytes(6).toString('hex');
    // Under TLS, the __Host- prefix makes the browser refuse the cookie unless Secure, Path=/ and no Domain.
    this.cookieName = this.#tls ? `__Host-imagedrop-${id}` : `imagedrop-${id}`;
  }

  /** Exchanges a candidate secret for a new session; the session id goes into the cookie, never the secret. */
  exchange(candidate: string): Exchange {
    const now = this.#now();
    while (this.#failures.length > 0 && this.#failures[0]! <= now - this.#windowMs) this.#failures.shift();
    if (this.#failures.length >= this.#maxFailures) {
      const retryAfterMs = this.#failures[0]! + this.#windowMs - now;
      return { ok: false, reason: 'limited', retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
    }
    if (!timingSafeEqual(digest(candidate), this.#secretDigest)) {
      this.#failures.push(now);
      return { ok: false, reason: 'wrong' };
    }
    const session = randomBytes(SECRET_BYTES).toString('base64url');
    this.#sessions.set(session, now);
    while (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    return { ok: true, cookie: session };
  }

  /** True when the request's Cookie header carries a live session of this server. */
  isSignedIn(cookieHeader: string | undefined): boolean {
    const value = cookieValue(cookieHeader, this.cookieName);
    if (!value || value.length > 128) return false;
    // Compared by digest in constant time against each (few) live session.
    const d = digest(value);
    let found = false;
    for (const session of this.#sessions.keys()) if (timingSafeEqual(digest(session), d)) found = true;
    return found;
  }

  /** The Set-Cookie header for a new session: a browser-session cookie (gone when the browser closes). */
  setCookie(session: string): string {
    return `${this.cookieName}=${session}; Path=/; HttpOnly; SameSite=Strict${this.#tls ? '; Secure' : ''}`;
  }
}
