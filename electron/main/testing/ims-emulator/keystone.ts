// The IMS emulator's side of the real test Keystone: an admin session (for provisioning the
// "Huawei account", validating callers' tokens on every call, and the jobs' own work, the way IMS's
// backend uses its service identity), and the account's users' tokens for AK/SK callers.

export interface KeystoneAdmin {
  readonly username: string;
  readonly password: string;
  readonly projectName: string;
  readonly userDomainName: string;
  readonly projectDomainName: string;
}

/** What a Huawei account stands for here: a Keystone domain, its user, and projects named like regions. */
export interface EmulatedAccount {
  readonly domain: string;
  readonly user: string;
  readonly password: string;
  readonly projects: readonly string[];
}

export interface ProvisionedAccount {
  readonly domainId: string;
  readonly userId: string;
  /** Project name → id. */
  readonly projects: Readonly<Record<string, string>>;
  /** What provisioning had to create or fix ('nothing' when it was all there). */
  readonly changed: readonly string[];
}

export interface ValidatedToken {
  readonly userId: string;
  readonly userName: string;
  readonly domainId: string;
  readonly domainName: string;
  readonly projectId: string | null;
  readonly projectName: string | null;
  readonly projectDomainId: string | null;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** The token body Keystone answered (user, project, roles, …). */
  readonly body: Record<string, unknown>;
}

/** Whatever JSON a server answered: the emulator reads fields it knows are there. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** The JSON of a body, or null when it is none. */
export function parseOrNull(text: string): Json {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export interface KeystoneAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Json;
}

export class KeystoneBackend {
  readonly url: string;
  readonly #admin: KeystoneAdmin;
  #adminToken: { value: string; expiresAt: number } | null = null;
  readonly #userTokens = new Map<string, { value: string; expiresAt: number }>();

  constructor(url: string, admin: KeystoneAdmin) {
    this.url = url.replace(/\/+$/, '');
    this.#admin = admin;
  }

  async call(
    method: string,
    path: string,
    init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<KeystoneAnswer> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(init.token ? { 'x-auth-token': init.token } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      ...(init.body === undefined
        ? {}
        : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: parseOrNull(text) };
  }

  async adminToken(): Promise<string> {
    if (this.#adminToken && this.#adminToken.expiresAt - Date.now() > 5 * 60_000) return this.#adminToken.value;
    const a = this.#admin;
    const res = await this.call('POST', '/auth/tokens', {
      body: {
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: a.username, password: a.password, domain: { name: a.userDomainName } } },
          },
          scope: { project: { name: a.projectName, domain: { name: a.projectDomainName } } },
        },
      },
    });
    const value = res.headers.get('x-subject-token');
    if (res.status !== 201 || !value)
      throw new Error(`ims-emulator: the admin sign-in failed: ${res.status} ${res.text.slice(0, 200)}`);
    this.#adminToken = { value, expiresAt: Date.parse(res.json.token.expires_at) };
    return value;
  }

  /** A call with the admin token, signing in again once if it was refused. */
  async admin(method: string, path: string, body?: unknown): Promise<KeystoneAnswer> {
    let res = await this.call(method, path, {
      token: await this.adminToken(),
      ...(body === undefined ? {} : { body }),
    });
    if (res.status === 401) {
      this.#adminToken = null;
      res = await this.call(method, path, { token: await this.adminToken(), ...(body === undefined ? {} : { body }) });
    }
    return res;
  }

  /**
   * Makes sure the account exists: its domain, user (password reset only when signing in with it
   * fails, since a change revokes the user's tokens), projects and the member role on each.
   * Idempotent: a second run changes nothing.
   */
  async provision(account: EmulatedAccount): Promise<ProvisionedAccount> {
    const changed: string[] = [];
    const must = (res: KeystoneAnswer, what: string) => {
      if (res.status >= 300) throw new Error(`ims-emulator: ${what} failed: ${res.status} ${res.text.slice(0, 300)}`);
      return res.json;
    };
    let domain = must(await this.admin('GET', `/domains?name=${encodeURIComponent(account.domain)}`), 'listing domains')
      .domains[0];
    if (!domain) {
      domain = must(
        await this.admin('POST', '/domains', {
          domain: {
            name: account.domain,
            description: 'Imagedrop IMS emulator: a Huawei Cloud account',
            enabled: true,
          },
        }),
        'creating the domain',
      ).domain;
      changed.push(`domain ${account.domain}`);
    }
    const projects: Record<string, string> = {};
    for (const name of account.projects) {
      let project = must(
        await this.admin('GET', `/projects?name=${encodeURIComponent(name)}&domain_id=${domain.id}`),
        'listing projects',
      ).projects[0];
      if (!project) {
        project = must(
          await this.admin('POST', '/projects', {
            project: { name, domain_id: domain.id, description: `Huawei region ${name} (IMS emulator)`, enabled: true },
          }),
          `creating project ${name}`,
        ).project;
        changed.push(`project ${name}`);
      }
      projects[name] = project.id;
    }
    let user = must(
      await this.admin('GET', `/users?name=${encodeURIComponent(account.user)}&domain_id=${domain.id}`),
      'listing users',
    ).users[0];
    if (!user) {
      user = must(
        await this.admin('POST', '/users', {
          user: { name: account.user, domain_id: domain.id, password: account.password, enabled: true },
        }),
        'creating the user',
      ).user;
      changed.push(`user ${account.user}`);
    } else {
      const probe = await this.call('POST', '/auth/tokens', {
        body: {
          auth: {
            identity: {
              methods: ['password'],
              password: { user: { id: user.id, password: account.password } },
            },
          },
        },
      });
      if (probe.status !== 201) {
        must(
          await this.admin('PATCH', `/users/${user.id}`, { user: { password: account.password } }),
          'resetting the password',
        );
        changed.push(`password of ${account.user}`);
      }
    }
    const role = must(await this.admin('GET', '/roles?name=member'), 'listing roles').roles[0];
    if (!role) throw new Error("ims-emulator: the test Keystone has no 'member' role (run scripts/testcloud/up.sh)");
    for (const [name, id] of Object.entries(projects)) {
      const have = must(
        await this.admin('GET', `/role_assignments?user.id=${user.id}&scope.project.id=${id}&role.id=${role.id}`),
        'listing role assignments',
      ).role_assignments;
      if (have.length === 0) {
        must(
          await this.admin('PUT', `/projects/${id}/users/${user.id}/roles/${role.id}`),
          `granting member on ${name}`,
        );
        changed.push(`member role on ${name}`);
      }
    }
    return { domainId: domain.id, userId: user.id, projects, changed };
  }

  /** Validates a token with Keystone (GET /v3/auth/tokens): null when Keystone does not accept it. */
  async validate(token: string): Promise<ValidatedToken | null> {
    if (!/^[A-Za-z0-9_=-]+$/.test(token)) return null;
    const res = await this.call('GET', '/auth/tokens?nocatalog', {
      token: await this.adminToken(),
      headers: { 'x-subject-token': token },
    });
    if (res.status === 401 && this.#adminToken) {
      this.#adminToken = null;
      return this.validate(token);
    }
    if (res.status !== 200) return null;
    const t = res.json.token;
    return {
      userId: t.user.id,
      userName: t.user.name,
      domainId: t.user.domain.id,
      domainName: t.user.domain.name,
      projectId: t.project?.id ?? null,
      projectName: t.project?.name ?? null,
      projectDomainId: t.project?.domain?.id ?? null,
      issuedAt: new Date(t.issued_at),
      expiresAt: new Date(t.expires_at),
      body: t,
    };
  }

  /** A token of an account user for one project (cached until 5 minutes before it expires). */
  async userToken(userId: string, password: string, projectId: string): Promise<string> {
    const key = `${userId}|${projectId}`;
    const cached = this.#userTokens.get(key);
    if (cached && cached.expiresAt - Date.now() > 5 * 60_000) return cached.value;
    const res = await this.call('POST', '/auth/tokens?nocatalog', {
      body: {
        auth: {
          identity: { methods: ['password'], password: { user: { id: userId, password } } },
          scope: { project: { id: projectId } },
        },
      },
    });
    const value = res.headers.get('x-subject-token');
    if (res.status !== 201 || !value) throw new Error(`ims-emulator: signing in user ${userId} failed: ${res.status}`);
    this.#userTokens.set(key, { value, expiresAt: Date.parse(res.json.token.expires_at) });
    return value;
  }
}
