// Connect: a cloud from clouds.yaml (or one remembered), or details typed in. Errors are shown
// as main words them (they say whether it is the password, the URL or the certificate). Once
// connected: who, which project and region, which image endpoint, and any warnings.
import { useRef, useState, type FormEvent } from 'react';
import { authUrlProblem, plainHttpWarning } from '../../../shared/auth-url.ts';
import type { CloudEntry, EndpointInterface, ConnectRequest, SessionInfo } from '../../../shared/session.ts';
import { connect, disconnect, forgetConnection, pickCaFile } from '../bridge.ts';
import { CheckboxField, SelectField, TextField } from '../components/fields.tsx';
import { formatDateTime } from '../format/display.ts';
import { useAppStore } from '../store/index.ts';

export function ConnectView() {
  const session = useAppStore((s) => s.session);
  return (
    <section aria-labelledby="connect-heading" className="view">
      {session ? <SessionDetails session={session} /> : <ConnectForm />}
    </section>
  );
}

function SessionDetails({ session }: { session: SessionInfo }) {
  const busy = useAppStore((s) => s.connection === 'disconnecting');
  const setView = useAppStore((s) => s.setView);
  return (
    <>
      <h2 id="connect-heading">Connected</h2>
      <dl className="facts" aria-label="Session">
        <dt>User</dt>
        <dd>
          {session.user.name} <span className="muted">(domain {session.user.domain})</span>
        </dd>
        <dt>Project</dt>
        <dd>
          {session.project.name} <span className="muted">(domain {session.project.domain})</span>
        </dd>
        <dt>Region</dt>
        <dd>{session.region ?? 'default'}</dd>
        <dt>Image endpoint</dt>
        <dd>
          <code>{session.imageEndpoint}</code>
          {session.imageApiVersion ? <span className="muted"> (API {session.imageApiVersion})</span> : null}{' '}
          <span className="muted">{session.interface} interface</span>
        </dd>
        <dt>Auth URL</dt>
        <dd>
          <code>{session.authUrl}</code>
          {session.cloud ? <span className="muted"> (cloud {session.cloud})</span> : null}
        </dd>
        <dt>Token expires</dt>
        <dd>{formatDateTime(session.expiresAt)}</dd>
      </dl>
      {session.warnings.length > 0 ? (
        <div className="warning-box" role="note" aria-labelledby="session-warnings-heading">
          <h3 id="session-warnings-heading">Warnings</h3>
          <ul>
            {session.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="actions">
        <button type="button" className="primary" onClick={() => setView('add')}>
          Add images
        </button>
        <button type="button" onClick={() => void disconnect()} disabled={busy}>
          {busy ? 'Disconnecting…' : 'Disconnect'}
        </button>
      </div>
    </>
  );
}

type Mode = 'cloud' | 'manual';
type AuthType = 'password' | 'application-credential';

interface ManualFields {
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
  applicationCredentialId: string;
  secret: string;
  regionName: string;
  interface: EndpointInterface;
  cacertPath: string;
  remember: boolean;
  label: string;
}

const EMPTY: ManualFields = {
  authUrl: '',
  username: '',
  password: '',
  projectName: '',
  userDomainName: 'Default',
  projectDomainName: 'Default',
  applicationCredentialId: '',
  secret: '',
  regionName: '',
  interface: 'public',
  cacertPath: '',
  remember: false,
  label: '',
};

type Problems = Partial<Record<keyof ManualFields | 'cloud', string>>;

/** Builds the request, or says which fields are missing. Exported for tests. */
export function buildManualRequest(
  fields: ManualFields,
  authType: AuthType,
): { ok: true; request: ConnectRequest } | { ok: false; problems: Problems } {
  const problems: Problems = {};
  const url = fields.authUrl.trim();
  if (url === '') problems.authUrl = 'Enter the Keystone URL, for example https://keystone.example.org:5000/v3.';
  else if (!/^https?:\/\/[^\s/]+/i.test(url)) problems.authUrl = 'The URL must start with https:// or http://.';
  else if (authUrlProblem(url)) problems.authUrl = `The URL ${authUrlProblem(url)}.`;
  if (authType === 'password') {
    if (fields.username.trim() === '') problems.username = 'Enter the user name.';
    if (fields.password === '') problems.password = 'Enter the password.';
    if (fields.projectName.trim() === '') problems.projectName = 'Enter the project.';
  } else {
    if (fields.applicationCredentialId.trim() === '')
      problems.applicationCredentialId = 'Enter the application credential ID.';
    if (fields.secret === '') problems.secret = 'Enter the application credential secret.';
  }
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const optional = (v: string) => (v.trim() === '' ? undefined : v.trim());
  const auth =
    authType === 'password'
      ? {
          type: 'password' as const,
          username: fields.username.trim(),
          password: fields.password,
          projectName: fields.projectName.trim(),
          userDomainName: optional(fields.userDomainName) ?? 'Default',
          projectDomainName: optional(fields.projectDomainName) ?? 'Default',
        }
      : {
          type: 'application-credential' as const,
          applicationCredentialId: fields.applicationCredentialId.trim(),
          secret: fields.secret,
        };
  const regionName = optional(fields.regionName);
  // As the picker gave it (main accepts exactly the path it granted): never trimmed.
  const cacertPath = fields.cacertPath === '' ? undefined : fields.cacertPath;
  const label = fields.remember ? optional(fields.label) : undefined;
  return {
    ok: true,
    request: {
      kind: 'manual',
      authUrl: url,
      auth,
      interface: fields.interface,
      remember: fields.remember,
      ...(regionName ? { regionName } : {}),
      ...(cacertPath ? { cacertPath } : {}),
      ...(label ? { label } : {}),
    },
  };
}

function ConnectForm() {
  const clouds = useAppStore((s) => s.clouds);
  const cloudsLoaded = useAppStore((s) => s.cloudsLoaded);
  const cloudsError = useAppStore((s) => s.cloudsError);
  const connectError = useAppStore((s) => s.connectError);
  const connecting = useAppStore((s) => s.connection === 'connecting');
  const canRemember = useAppStore((s) => s.canRememberSecrets);
  const [forgetting, setForgetting] = useState(false);
  const [chosenMode, setMode] = useState<Mode | null>(null);
  const [cloudName, setCloudName] = useState('');
  const [authType, setAuthType] = useState<AuthType>('password');
  const [fields, setFields] = useState<ManualFields>(EMPTY);
  const [problems, setProblems] = useState<Problems>({});
  const formRef = useRef<HTMLFormElement>(null);

  const mode: Mode = chosenMode ?? (clouds.length > 0 ? 'cloud' : 'manual');
  // A remembered connection may share its name with a clouds.yaml cloud (remembered by an older
  // version): then its choice gets a key of its own, and the request says which one is meant.
  const cloudKey = (c: CloudEntry) =>
    c.source === 'remembered' && clouds.some((o) => o !== c && o.name === c.name)
      ? `${c.name}\u0000remembered`
      : c.name;
  const cloud = clouds.find((c) => cloudKey(c) === cloudName) ?? clouds[0];
  const httpWarning = plainHttpWarning(fields.authUrl.trim(), authType);

  function set<K extends keyof ManualFields>(key: K, value: ManualFields[K]) {
    // Typing into the details fixes the choice: the clouds list arriving later must not swap the form away.
    setMode((m) => m ?? 'manual');
    setFields((f) => ({ ...f, [key]: value }));
    setProblems((p) => (p[key] ? { ...p, [key]: undefined } : p));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (connecting) return;
    if (mode === 'cloud') {
      if (!cloud) {
        setProblems({ cloud: 'Choose a cloud.' });
        return;
      }
      void connect({
        kind: 'cloud',
        cloud: cloud.name,
        ...(cloud.source === 'remembered' ? { remembered: true } : {}),
      });
      return;
    }
    const built = buildManualRequest({ ...fields, remember: fields.remember && canRemember !== false }, authType);
    if (!built.ok) {
      setProblems(built.problems);
      // Move focus to the first field that needs attention.
      setTimeout(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
      return;
    }
    setProblems({});
    void connect(built.request);
  }

  return (
    <>
      <h2 id="connect-heading">Connect to a cloud</h2>
      <form ref={formRef} className="connect-form" onSubmit={onSubmit} noValidate aria-labelledby="connect-heading">
        <fieldset className="radio-group">
          <legend>How to connect</legend>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === 'cloud'}
              onChange={() => setMode('cloud')}
              onClick={() => setMode('cloud')}
            />
            A cloud from clouds.yaml
          </label>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === 'manual'}
              onChange={() => setMode('manual')}
              onClick={() => setMode('manual')}
            />
            Enter the details
          </label>
        </fieldset>

        {mode === 'cloud' ? (
          <div className="form-block">
            {cloudsError ? <p className="field-error">{cloudsError.message}</p> : null}
            {cloudsLoaded && clouds.length === 0 ? (
              <p>No clouds were found in clouds.yaml or the environment. Enter the details instead.</p>
            ) : null}
            {clouds.length > 0 ? (
              <SelectField
                label="Cloud"
                value={cloud ? cloudKey(cloud) : ''}
                onChange={setCloudName}
                options={clouds.map((c) => ({ value: cloudKey(c), label: `${c.name} (${c.source})` }))}
                error={problems.cloud}
                hint={cloud?.authUrl ? <>Auth URL {cloud.authUrl}</> : undefined}
              />
            ) : null}
            {cloud?.source === 'remembered' ? (
              <button
                type="button"
                disabled={forgetting}
                onClick={() => {
                  setForgetting(true);
                  void forgetConnection(cloud.name).finally(() => setForgetting(false));
                }}
              >
                Forget {cloud.name}
              </button>
            ) : null}
            {cloud && cloud.warnings.length > 0 ? (
              <ul className="warning-list" aria-label={`Warnings for ${cloud.name}`}>
                {cloud.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : (
          <div className="form-block">
            <TextField
              label="Auth URL"
              type="url"
              inputMode="url"
              value={fields.authUrl}
              onChange={(v) => set('authUrl', v)}
              error={problems.authUrl}
              hint={httpWarning ? <span className="field-warning">{httpWarning}</span> : undefined}
              placeholder="https://keystone.example.org:5000/v3"
              required
            />
            <fieldset className="radio-group">
              <legend>Sign in with</legend>
              <label>
                <input
                  type="radio"
                  name="auth-type"
                  checked={authType === 'password'}
                  onChange={() => setAuthType('password')}
                />
                User name and password
              </label>
              <label>
                <input
                  type="radio"
                  name="auth-type"
                  checked={authType === 'application-credential'}
                  onChange={() => setAuthType('application-credential')}
                />
                Application credential
              </label>
            </fieldset>
            {authType === 'password' ? (
              <div className="field-grid">
                <TextField
                  label="Username"
                  value={fields.username}
                  onChange={(v) => set('username', v)}
                  error={problems.username}
                  autoComplete="username"
                  required
                />
                <TextField
                  label="Password"
                  type="password"
                  value={fields.password}
                  onChange={(v) => set('password', v)}
                  error={problems.password}
                  autoComplete="current-password"
                  required
                />
                <TextField
                  label="Project"
                  value={fields.projectName}
                  onChange={(v) => set('projectName', v)}
                  error={problems.projectName}
                  required
                />
                <TextField
                  label="User domain"
                  value={fields.userDomainName}
                  onChange={(v) => set('userDomainName', v)}
                />
                <TextField
                  label="Project domain"
                  value={fields.projectDomainName}
                  onChange={(v) => set('projectDomainName', v)}
                />
              </div>
            ) : (
              <div className="field-grid">
                <TextField
                  label="Application credential ID"
                  value={fields.applicationCredentialId}
                  onChange={(v) => set('applicationCredentialId', v)}
                  error={problems.applicationCredentialId}
                  required
                />
                <TextField
                  label="Application credential secret"
                  type="password"
                  value={fields.secret}
                  onChange={(v) => set('secret', v)}
                  error={problems.secret}
                  required
                />
              </div>
            )}
            <div className="field-grid">
              <TextField
                label="Region"
                value={fields.regionName}
                onChange={(v) => set('regionName', v)}
                hint="Leave empty to use the catalog's only (or first) region."
              />
              <SelectField
                label="Interface"
                value={fields.interface}
                onChange={(v) => set('interface', v as EndpointInterface)}
                options={[
                  { value: 'public', label: 'public' },
                  { value: 'internal', label: 'internal' },
                  { value: 'admin', label: 'admin' },
                ]}
              />
              <TextField
                label="CA certificate file"
                value={fields.cacertPath}
                onChange={(v) => set('cacertPath', v)}
                readOnly
                hint="Optional, for a cloud signed by a private authority: choose its PEM file. Imagedrop reads only a CA file chosen here."
                placeholder="None: the system's authorities"
                action={
                  <span className="field-actions">
                    <button
                      type="button"
                      className="field-action"
                      aria-label="Choose the CA certificate file…"
                      onClick={() =>
                        void pickCaFile().then((picked) => {
                          if (picked) set('cacertPath', picked);
                        })
                      }
                    >
                      Choose…
                    </button>
                    {fields.cacertPath !== '' ? (
                      <button
                        type="button"
                        className="field-action"
                        aria-label="Clear the CA certificate file"
                        onClick={() => set('cacertPath', '')}
                      >
                        Clear
                      </button>
                    ) : null}
                  </span>
                }
              />
            </div>
            <CheckboxField
              label="Remember this connection"
              checked={fields.remember && canRemember !== false}
              disabled={canRemember === false}
              onChange={(v) => set('remember', v)}
              hint={
                canRemember === false
                  ? 'Not available: this system offers no keychain to keep the password or secret encrypted, and Imagedrop never stores it in plain text.'
                  : "The password or secret is kept encrypted by the operating system's keychain."
              }
            />
            {fields.remember && canRemember !== false ? (
              <TextField label="Remember as" value={fields.label} onChange={(v) => set('label', v)} />
            ) : null}
          </div>
        )}

        {connectError ? (
          <div className="error-box" role="alert">
            <p className="error-message">{connectError.message}</p>
            {connectError.detail || connectError.serverMessage ? (
              <p className="error-detail">{connectError.detail ?? connectError.serverMessage}</p>
            ) : null}
          </div>
        ) : null}

        <div className="actions">
          <button type="submit" className="primary" disabled={connecting} aria-busy={connecting || undefined}>
            {connecting ? 'Connecting…' : 'Connect'}
          </button>
        </div>
      </form>
    </>
  );
}
