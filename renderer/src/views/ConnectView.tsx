// Connect: a cloud from clouds.yaml (or one remembered), or details typed in, for OpenStack
// Glance or Huawei Cloud IMS (Huawei Cloud, Open Telekom Cloud, Flexible Engine). Errors are shown
// as main words them (they say whether it is the password, the URL or the certificate). Once
// connected: who, which project and region, which image service and why, which endpoint, warnings.
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { authUrlProblem, plainHttpWarning } from '../../../shared/auth-url.ts';
import type {
  CloudEntry,
  ConnectRequest,
  EndpointInterface,
  GlanceManualRequest,
  ImsManualRequest,
  SessionInfo,
} from '../../../shared/session.ts';
import { connect, disconnect, forgetConnection, pickCaFile } from '../bridge.ts';
import { CheckboxField, SelectField, TextField } from '../components/fields.tsx';
import { formatDateTime, formatSize } from '../format/display.ts';
import { i18n } from '../i18n/index.ts';
import type { connect as connectEn } from '../i18n/locales/en/connect.ts';
import { useAppStore } from '../store/index.ts';

type ConnectKey = `problems.${keyof (typeof connectEn)['problems']}`;

export function ConnectView() {
  const session = useAppStore((s) => s.session);
  return (
    <section aria-labelledby="connect-heading" className="view">
      {session ? <SessionDetails session={session} /> : <ConnectForm />}
    </section>
  );
}

function SessionDetails({ session }: { session: SessionInfo }) {
  const { t } = useTranslation('connect');
  const busy = useAppStore((s) => s.connection === 'disconnecting');
  const setView = useAppStore((s) => s.setView);
  const ims = session.ims;
  return (
    <>
      <h2 id="connect-heading">{t('session.heading')}</h2>
      <dl className="facts" aria-label={t('session.label')}>
        <dt>{t('session.user')}</dt>
        <dd>
          {session.user.name}{' '}
          {session.user.domain ? (
            <span className="muted">{t('session.inDomain', { domain: session.user.domain })}</span>
          ) : null}
        </dd>
        <dt>{t('session.project')}</dt>
        <dd>
          {session.project.name}{' '}
          {session.project.domain ? (
            <span className="muted">{t('session.inDomain', { domain: session.project.domain })}</span>
          ) : null}
        </dd>
        <dt>{t('session.region')}</dt>
        <dd>{session.region ?? t('session.defaultRegion')}</dd>
        <dt>{t('session.imageService')}</dt>
        <dd>
          {t(`service.${session.imageService.kind}`)}{' '}
          <span className="muted">
            ({session.imageService.inferred ? t('session.inferred') : t('session.configured')}:{' '}
            {session.imageService.reason})
          </span>
        </dd>
        <dt>{t('session.imageEndpoint')}</dt>
        <dd>
          <code>{session.imageEndpoint}</code>
          {session.imageApiVersion ? (
            <span className="muted"> {t('session.api', { version: session.imageApiVersion })}</span>
          ) : null}{' '}
          <span className="muted">{t('session.interface', { name: session.interface })}</span>
        </dd>
        {ims ? (
          <>
            <dt>{t('session.signedWith')}</dt>
            <dd>{ims.auth === 'token' ? t('session.token') : t('session.accessKey')}</dd>
            <dt>{t('session.objectStorage')}</dt>
            <dd>
              {ims.objectStorage
                ? ims.bucket
                  ? t('session.obsBucket', { bucket: ims.bucket })
                  : t('session.obsNoBucket')
                : t('session.obsNone', { limit: formatSize(ims.nativeLimit) })}
            </dd>
          </>
        ) : null}
        <dt>{t('session.authUrl')}</dt>
        <dd>
          <code>{session.authUrl}</code>
          {session.cloud ? <span className="muted"> {t('session.cloud', { cloud: session.cloud })}</span> : null}
        </dd>
        <dt>{t('session.expires')}</dt>
        <dd>{formatDateTime(session.expiresAt)}</dd>
      </dl>
      {session.warnings.length > 0 ? (
        <div className="warning-box" role="note" aria-labelledby="session-warnings-heading">
          <h3 id="session-warnings-heading">{t('session.warnings')}</h3>
          <ul>
            {session.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="actions">
        <button type="button" className="primary" onClick={() => setView('add')}>
          {t('session.addImages')}
        </button>
        <button type="button" onClick={() => void disconnect()} disabled={busy}>
          {busy ? t('session.disconnecting') : t('session.disconnect')}
        </button>
      </div>
    </>
  );
}

type Mode = 'cloud' | 'manual';
type ServiceKind = 'glance' | 'ims';
type AuthType = 'password' | 'application-credential';
type ImsAuthType = 'password' | 'access-key';

export interface ManualFields {
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
  // Huawei Cloud IMS
  accountName: string;
  projectId: string;
  accessKey: string;
  secretKey: string;
  securityToken: string;
  obsBucket: string;
  imageEndpointOverride: string;
  obsEndpointOverride: string;
}

export const EMPTY_FIELDS: ManualFields = {
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
  accountName: '',
  projectId: '',
  accessKey: '',
  secretKey: '',
  securityToken: '',
  obsBucket: '',
  imageEndpointOverride: '',
  obsEndpointOverride: '',
};

type Problems = Partial<Record<keyof ManualFields | 'cloud', string>>;
type Built = { ok: true; request: ConnectRequest } | { ok: false; problems: Problems };

const optional = (v: string) => (v.trim() === '' ? undefined : v.trim());
/** The form's sentences outside React (the request builders), in the current language. */
const tc = (key: ConnectKey, options?: Record<string, string | undefined>): string =>
  // The key is checked by ConnectKey; i18next's own overloads cannot follow a key chosen at run time.
  (i18n.t as (key: string, options: object) => string)(key, { ns: 'connect', ...options });

function urlProblems(fields: ManualFields, problems: Problems, emptyKey: 'problems.authUrl' | 'problems.iamUrl'): void {
  const url = fields.authUrl.trim();
  if (url === '') problems.authUrl = tc(emptyKey);
  else if (!/^https?:\/\/[^\s/]+/i.test(url)) problems.authUrl = tc('problems.scheme');
  else if (authUrlProblem(url)) problems.authUrl = tc('problems.url', { problem: authUrlProblem(url) ?? '' });
}

/** An endpoint override, if given, is an http(s) URL. */
function endpointProblem(value: string): string | undefined {
  return value.trim() === '' || /^https?:\/\/[^\s/]+/i.test(value.trim()) ? undefined : tc('problems.scheme');
}

/** Builds the request, or says which fields are missing. Exported for tests. */
export function buildManualRequest(fields: ManualFields, authType: AuthType): Built {
  const problems: Problems = {};
  urlProblems(fields, problems, 'problems.authUrl');
  if (authType === 'password') {
    if (fields.username.trim() === '') problems.username = tc('problems.username');
    if (fields.password === '') problems.password = tc('problems.password');
    if (fields.projectName.trim() === '') problems.projectName = tc('problems.project');
  } else {
    if (fields.applicationCredentialId.trim() === '') problems.applicationCredentialId = tc('problems.appCredId');
    if (fields.secret === '') problems.secret = tc('problems.appCredSecret');
  }
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const auth: GlanceManualRequest['auth'] =
    authType === 'password'
      ? {
          type: 'password',
          username: fields.username.trim(),
          password: fields.password,
          projectName: fields.projectName.trim(),
          userDomainName: optional(fields.userDomainName) ?? 'Default',
          projectDomainName: optional(fields.projectDomainName) ?? 'Default',
        }
      : {
          type: 'application-credential',
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
      authUrl: fields.authUrl.trim(),
      auth,
      interface: fields.interface,
      remember: fields.remember,
      ...(regionName ? { regionName } : {}),
      ...(cacertPath ? { cacertPath } : {}),
      ...(label ? { label } : {}),
    },
  };
}

/**
 * An IMS cloud as python-otcextensions users write it: the IAM user with its account, or only an
 * access key; the project (named after the region) or its id. Exported for tests.
 */
export function buildImsRequest(fields: ManualFields, authType: ImsAuthType): Built {
  const problems: Problems = {};
  urlProblems(fields, problems, 'problems.iamUrl');
  if (authType === 'password') {
    if (fields.username.trim() === '') problems.username = tc('problems.username');
    if (fields.password === '') problems.password = tc('problems.password');
    if (fields.accountName.trim() === '') problems.accountName = tc('problems.account');
  }
  if (fields.projectName.trim() === '' && fields.projectId.trim() === '' && fields.regionName.trim() === '')
    problems.projectName = tc('problems.imsProject');
  const ak = fields.accessKey.trim();
  if (authType === 'access-key' || ak !== '' || fields.secretKey !== '') {
    if (ak === '') problems.accessKey = tc(authType === 'access-key' ? 'problems.akOnly' : 'problems.ak');
    if (fields.secretKey === '') problems.secretKey = tc('problems.sk');
  }
  const bucket = fields.obsBucket.trim();
  if (bucket !== '' && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) problems.obsBucket = tc('problems.bucket');
  const imageOverride = endpointProblem(fields.imageEndpointOverride);
  if (imageOverride) problems.imageEndpointOverride = imageOverride;
  const obsOverride = endpointProblem(fields.obsEndpointOverride);
  if (obsOverride) problems.obsEndpointOverride = obsOverride;
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const auth: ImsManualRequest['auth'] =
    authType === 'password'
      ? {
          type: 'password',
          username: fields.username.trim(),
          password: fields.password,
          accountName: fields.accountName.trim(),
        }
      : { type: 'access-key' };
  const token = fields.securityToken.trim();
  const cacertPath = fields.cacertPath === '' ? undefined : fields.cacertPath;
  const label = fields.remember ? optional(fields.label) : undefined;
  const projectName = optional(fields.projectName);
  const projectId = optional(fields.projectId);
  const regionName = optional(fields.regionName);
  const imageEndpointOverride = optional(fields.imageEndpointOverride);
  const obsEndpointOverride = optional(fields.obsEndpointOverride);
  return {
    ok: true,
    request: {
      kind: 'manual',
      imageService: 'ims',
      authUrl: fields.authUrl.trim(),
      auth,
      remember: fields.remember,
      ...(projectName ? { projectName } : {}),
      ...(projectId ? { projectId } : {}),
      ...(regionName ? { regionName } : {}),
      ...(ak !== ''
        ? { accessKeys: { accessKey: ak, secretKey: fields.secretKey, ...(token ? { securityToken: token } : {}) } }
        : {}),
      ...(bucket ? { obsBucket: bucket } : {}),
      ...(imageEndpointOverride ? { imageEndpointOverride } : {}),
      ...(obsEndpointOverride ? { obsEndpointOverride } : {}),
      ...(cacertPath ? { cacertPath } : {}),
      ...(label ? { label } : {}),
    },
  };
}

function ConnectForm() {
  const { t } = useTranslation('connect');
  const clouds = useAppStore((s) => s.clouds);
  const cloudsLoaded = useAppStore((s) => s.cloudsLoaded);
  const cloudsError = useAppStore((s) => s.cloudsError);
  const connectError = useAppStore((s) => s.connectError);
  const connecting = useAppStore((s) => s.connection === 'connecting');
  const canRemember = useAppStore((s) => s.canRememberSecrets);
  const [forgetting, setForgetting] = useState(false);
  const [chosenMode, setMode] = useState<Mode | null>(null);
  const [cloudName, setCloudName] = useState('');
  const [service, setService] = useState<ServiceKind>('glance');
  const [authType, setAuthType] = useState<AuthType>('password');
  const [imsAuthType, setImsAuthType] = useState<ImsAuthType>('password');
  const [fields, setFields] = useState<ManualFields>(EMPTY_FIELDS);
  const [problems, setProblems] = useState<Problems>({});
  const formRef = useRef<HTMLFormElement>(null);

  const mode: Mode = chosenMode ?? (clouds.length > 0 ? 'cloud' : 'manual');
  // Until the clouds list is read, neither way is ticked (the details form shows, ready to type in):
  // the default may still become "a cloud from clouds.yaml", and a click on a way already ticked
  // would not count as a choice.
  const tickedMode: Mode | null = chosenMode ?? (cloudsLoaded ? mode : null);
  // A remembered connection may share its name with a clouds.yaml cloud (remembered by an older
  // version): then its choice gets a key of its own, and the request says which one is meant.
  const cloudKey = (c: CloudEntry) =>
    c.source === 'remembered' && clouds.some((o) => o !== c && o.name === c.name)
      ? `${c.name}\u0000remembered`
      : c.name;
  const cloud = clouds.find((c) => cloudKey(c) === cloudName) ?? clouds[0];
  const signsIn = service === 'glance' ? authType : imsAuthType === 'password' ? 'password' : null;
  const httpWarning = signsIn ? plainHttpWarning(fields.authUrl.trim(), signsIn) : null;

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
        setProblems({ cloud: t('problems.cloud') });
        return;
      }
      void connect({
        kind: 'cloud',
        cloud: cloud.name,
        ...(cloud.source === 'remembered' ? { remembered: true } : {}),
      });
      return;
    }
    const withRemember = { ...fields, remember: fields.remember && canRemember !== false };
    const built =
      service === 'ims' ? buildImsRequest(withRemember, imsAuthType) : buildManualRequest(withRemember, authType);
    if (!built.ok) {
      setProblems(built.problems);
      // Move focus to the first field that needs attention.
      setTimeout(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
      return;
    }
    setProblems({});
    void connect(built.request);
  }

  const text = (key: keyof ManualFields, label: string, extra: Partial<Parameters<typeof TextField>[0]> = {}) => (
    <TextField
      label={label}
      value={fields[key] as string}
      onChange={(v) => set(key, v)}
      error={problems[key]}
      {...extra}
    />
  );

  return (
    <>
      <h2 id="connect-heading">{t('form.heading')}</h2>
      <form ref={formRef} className="connect-form" onSubmit={onSubmit} noValidate aria-labelledby="connect-heading">
        <Radios
          legend={t('form.how')}
          name="mode"
          value={tickedMode}
          onChange={(m) => setMode(m)}
          options={[
            ['cloud', t('form.fromClouds')],
            ['manual', t('form.typeIn')],
          ]}
        />

        {mode === 'cloud' ? (
          <div className="form-block">
            {cloudsError ? <p className="field-error">{cloudsError.message}</p> : null}
            {cloudsLoaded && clouds.length === 0 ? <p>{t('form.noClouds')}</p> : null}
            {clouds.length > 0 ? (
              <SelectField
                label={t('form.cloud')}
                value={cloud ? cloudKey(cloud) : ''}
                onChange={setCloudName}
                options={clouds.map((c) => ({ value: cloudKey(c), label: `${c.name} (${c.source})` }))}
                error={problems.cloud}
                hint={
                  cloud?.authUrl ? (
                    <>
                      {t('form.cloudAuthUrl', { url: cloud.authUrl })}
                      {cloud.imageService ? ` · ${t(`service.${cloud.imageService}`)}` : ''}
                    </>
                  ) : undefined
                }
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
                {t('form.forget', { name: cloud.name })}
              </button>
            ) : null}
            {cloud && cloud.warnings.length > 0 ? (
              <ul className="warning-list" aria-label={t('form.warningsFor', { name: cloud.name })}>
                {cloud.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : (
          <div className="form-block">
            <Radios
              legend={t('form.service')}
              name="image-service"
              value={service}
              onChange={(s) => {
                setService(s);
                setProblems({});
              }}
              options={[
                ['glance', t('form.glance')],
                ['ims', t('form.ims')],
              ]}
            />
            <TextField
              label={t('form.authUrl')}
              type="url"
              inputMode="url"
              value={fields.authUrl}
              onChange={(v) => set('authUrl', v)}
              error={problems.authUrl}
              hint={
                httpWarning ? (
                  <span className="field-warning">{httpWarning}</span>
                ) : service === 'ims' ? (
                  t('form.iamHint')
                ) : undefined
              }
              placeholder={
                service === 'ims'
                  ? 'https://iam.cn-north-4.myhuaweicloud.com/v3'
                  : 'https://keystone.example.org:5000/v3'
              }
              required
            />
            {service === 'glance' ? (
              <GlanceFields
                authType={authType}
                setAuthType={setAuthType}
                fields={fields}
                problems={problems}
                set={set}
              />
            ) : (
              <>
                <Radios
                  legend={t('form.signIn')}
                  name="ims-auth-type"
                  value={imsAuthType}
                  onChange={(a) => {
                    setImsAuthType(a);
                    setProblems({});
                  }}
                  options={[
                    ['password', t('form.iamUser')],
                    ['access-key', t('form.akOnly')],
                  ]}
                />
                {imsAuthType === 'password' ? (
                  <div className="field-grid">
                    {text('username', t('form.iamUserName'), { autoComplete: 'username', required: true })}
                    {text('password', t('form.password'), {
                      type: 'password',
                      autoComplete: 'current-password',
                      required: true,
                    })}
                    {text('accountName', t('form.account'), { hint: t('form.accountHint'), required: true })}
                  </div>
                ) : null}
                <div className="field-grid">
                  {text('projectName', t('form.imsProject'), { hint: t('form.imsProjectHint') })}
                  {text('projectId', t('form.projectId'), { hint: t('form.projectIdHint') })}
                  {text('regionName', t('form.region'), { hint: t('form.imsRegionHint') })}
                </div>
                <fieldset className="field-set">
                  <legend>{t('form.accessKeys')}</legend>
                  <p className="field-hint">{imsAuthType === 'access-key' ? t('form.akOnlyHint') : t('form.akHint')}</p>
                  <div className="field-grid">
                    {text('accessKey', t('form.ak'), { required: imsAuthType === 'access-key' })}
                    {text('secretKey', t('form.sk'), { type: 'password', required: imsAuthType === 'access-key' })}
                    {text('securityToken', t('form.securityToken'), {
                      type: 'password',
                      hint: t('form.securityTokenHint'),
                    })}
                  </div>
                </fieldset>
                <div className="field-grid">
                  {text('obsBucket', t('form.bucket'), { hint: t('form.bucketHint') })}
                  {text('imageEndpointOverride', t('form.imageEndpoint'), {
                    type: 'url',
                    inputMode: 'url',
                    hint: t('form.imageEndpointHint'),
                  })}
                  {text('obsEndpointOverride', t('form.obsEndpoint'), {
                    type: 'url',
                    inputMode: 'url',
                    hint: t('form.obsEndpointHint'),
                  })}
                </div>
              </>
            )}
            <div className="field-grid">
              {service === 'glance' ? (
                <>
                  {text('regionName', t('form.region'), { hint: t('form.regionHint') })}
                  <SelectField
                    label={t('form.interface')}
                    value={fields.interface}
                    onChange={(v) => set('interface', v as EndpointInterface)}
                    options={[
                      { value: 'public', label: 'public' },
                      { value: 'internal', label: 'internal' },
                      { value: 'admin', label: 'admin' },
                    ]}
                  />
                </>
              ) : null}
              <TextField
                label={t('form.caFile')}
                value={fields.cacertPath}
                onChange={(v) => set('cacertPath', v)}
                readOnly
                hint={t('form.caHint')}
                placeholder={t('form.caNone')}
                action={
                  <span className="field-actions">
                    <button
                      type="button"
                      className="field-action"
                      aria-label={t('form.caChoose')}
                      onClick={() =>
                        void pickCaFile().then((picked) => {
                          if (picked) set('cacertPath', picked);
                        })
                      }
                    >
                      {t('form.choose')}
                    </button>
                    {fields.cacertPath !== '' ? (
                      <button
                        type="button"
                        className="field-action"
                        aria-label={t('form.caClear')}
                        onClick={() => set('cacertPath', '')}
                      >
                        {t('form.clear')}
                      </button>
                    ) : null}
                  </span>
                }
              />
            </div>
            <CheckboxField
              label={t('form.remember')}
              checked={fields.remember && canRemember !== false}
              disabled={canRemember === false}
              onChange={(v) => set('remember', v)}
              hint={
                canRemember === false
                  ? t('form.rememberUnavailable')
                  : service === 'ims'
                    ? t('form.rememberImsHint')
                    : t('form.rememberHint')
              }
            />
            {fields.remember && canRemember !== false ? text('label', t('form.rememberAs')) : null}
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
            {connecting ? t('form.connecting') : t('form.connect')}
          </button>
        </div>
      </form>
    </>
  );
}

function GlanceFields(props: {
  authType: AuthType;
  setAuthType(a: AuthType): void;
  fields: ManualFields;
  problems: Problems;
  set<K extends keyof ManualFields>(key: K, value: ManualFields[K]): void;
}) {
  const { t } = useTranslation('connect');
  const { fields, problems, set } = props;
  return (
    <>
      <Radios
        legend={t('form.signIn')}
        name="auth-type"
        value={props.authType}
        onChange={props.setAuthType}
        options={[
          ['password', t('form.userPassword')],
          ['application-credential', t('form.appCred')],
        ]}
      />
      {props.authType === 'password' ? (
        <div className="field-grid">
          <TextField
            label={t('form.username')}
            value={fields.username}
            onChange={(v) => set('username', v)}
            error={problems.username}
            autoComplete="username"
            required
          />
          <TextField
            label={t('form.password')}
            type="password"
            value={fields.password}
            onChange={(v) => set('password', v)}
            error={problems.password}
            autoComplete="current-password"
            required
          />
          <TextField
            label={t('form.project')}
            value={fields.projectName}
            onChange={(v) => set('projectName', v)}
            error={problems.projectName}
            required
          />
          <TextField
            label={t('form.userDomain')}
            value={fields.userDomainName}
            onChange={(v) => set('userDomainName', v)}
          />
          <TextField
            label={t('form.projectDomain')}
            value={fields.projectDomainName}
            onChange={(v) => set('projectDomainName', v)}
          />
        </div>
      ) : (
        <div className="field-grid">
          <TextField
            label={t('form.appCredId')}
            value={fields.applicationCredentialId}
            onChange={(v) => set('applicationCredentialId', v)}
            error={problems.applicationCredentialId}
            required
          />
          <TextField
            label={t('form.appCredSecret')}
            type="password"
            value={fields.secret}
            onChange={(v) => set('secret', v)}
            error={problems.secret}
            required
          />
        </div>
      )}
    </>
  );
}

function Radios<V extends string>(props: {
  legend: string;
  name: string;
  /** Null: none ticked yet. */
  value: V | null;
  onChange(value: V): void;
  options: readonly (readonly [V, ReactNode])[];
}) {
  return (
    <fieldset className="radio-group">
      <legend>{props.legend}</legend>
      {props.options.map(([value, label]) => (
        <label key={value}>
          <input
            type="radio"
            name={props.name}
            checked={props.value === value}
            onChange={() => props.onChange(value)}
            onClick={() => props.onChange(value)}
          />
          {label}
        </label>
      ))}
    </fieldset>
  );
}
