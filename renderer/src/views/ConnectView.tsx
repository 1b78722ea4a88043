// Connect: a cloud from clouds.yaml (or one remembered), or details typed in, for OpenStack
// Glance or Huawei IMS (Huawei Cloud, Open Telekom Cloud, Flexible Engine). Errors are shown
// as main words them (they say whether it is the password, the URL or the certificate). Once
// connected: the session (connect/SessionDetails). The parts live in ./connect/, the form's rules
// in store/connect-form.ts; this file holds the form's state and puts the parts together.
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { connect } from '../bridge.ts';
import {
  DEFAULT_AUTH,
  EMPTY_FIELDS,
  buildCloudRequest,
  buildManualRequest,
  chosenCloud,
  clearProblem,
  connectMode,
  problemText,
  type ManualAuth,
  type ManualFields,
  type Mode,
  type ProblemField,
  type Problems,
  type ServiceKind,
} from '../store/connect-form.ts';
import { useAppStore } from '../store/index.ts';
import { CloudList } from './connect/CloudList.tsx';
import { ManualForm } from './connect/ManualForm.tsx';
import { Radios } from './connect/Radios.tsx';
import { SessionDetails } from './connect/SessionDetails.tsx';
import type { FieldErrors } from './connect/service-fields.ts';

export function ConnectView() {
  const session = useAppStore((s) => s.session);
  return (
    <section aria-labelledby="connect-heading" className="view">
      {session ? <SessionDetails session={session} /> : <ConnectForm />}
    </section>
  );
}

function ConnectForm() {
  const { t } = useTranslation('connect');
  const clouds = useAppStore((s) => s.clouds);
  const cloudsLoaded = useAppStore((s) => s.cloudsLoaded);
  const connectError = useAppStore((s) => s.connectError);
  const connecting = useAppStore((s) => s.connection === 'connecting');
  const canRemember = useAppStore((s) => s.canRememberSecrets);
  const [chosenMode, setMode] = useState<Mode | null>(null);
  const [cloudName, setCloudName] = useState('');
  const [service, setService] = useState<ServiceKind>('glance');
  const [auth, setAuth] = useState<ManualAuth>(DEFAULT_AUTH);
  const [fields, setFields] = useState<ManualFields>(EMPTY_FIELDS);
  const [problems, setProblems] = useState<Problems>({});
  const formRef = useRef<HTMLFormElement>(null);

  const { shown: mode, ticked: tickedMode } = connectMode(chosenMode, clouds.length, cloudsLoaded);
  const cloud = chosenCloud(clouds, cloudName);
  const errors: FieldErrors = {};
  for (const [field, problem] of Object.entries(problems) as [ProblemField, Problems[ProblemField]][])
    if (problem) errors[field] = problemText(problem, t);

  function set<K extends keyof ManualFields>(key: K, value: ManualFields[K]) {
    // Typing into the details fixes the choice: the clouds list arriving later must not swap the form away.
    setMode((m) => m ?? 'manual');
    setFields((f) => ({ ...f, [key]: value }));
    setProblems((p) => clearProblem(p, key));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (connecting) return;
    const built = mode === 'cloud' ? buildCloudRequest(cloud) : buildManualRequest(service, fields, auth, canRemember);
    if (!built.ok) {
      setProblems(built.problems);
      // Move focus to the first field that needs attention.
      if (mode === 'manual')
        setTimeout(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
      return;
    }
    if (mode === 'manual') setProblems({});
    void connect(built.request);
  }

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
          <CloudList cloud={cloud} onChoose={setCloudName} error={errors.cloud} />
        ) : (
          <ManualForm
            service={service}
            setService={setService}
            fields={fields}
            errors={errors}
            set={set}
            auth={auth}
            setAuth={setAuth}
            clearProblems={() => setProblems({})}
          />
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
