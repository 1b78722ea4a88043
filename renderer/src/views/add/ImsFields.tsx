// The IMS part of one file's form (issue 11), shown only on a Huawei IMS cloud: the route with
// what each route can do with this file, the OS version (the cloud's list, searchable; free text
// where it gives none), the bucket, the object key and whether to keep the object. Minimum disk
// is the form's own field; its range is said here (ims.md §3.4).
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionInfo } from '../../../../shared/session.ts';
import { IMS_ROUTES, type ImsRouteChoice } from '../../../../shared/upload.ts';
import { CheckboxField, SelectField, TextField } from '../../components/fields.tsx';
import type { Draft, DraftForm, FormProblems } from '../../store/draft-form.ts';
import { predictedRoute, routeAvailability } from '../../store/draft-form.ims.ts';
import { messageText } from '../../store/draft-message.ts';

export interface ImsFieldsProps {
  draft: Draft;
  session: SessionInfo;
  problems: FormProblems;
  set(patch: Partial<DraftForm>): void;
}

export function ImsFields({ draft, session, problems, set }: ImsFieldsProps) {
  const { t } = useTranslation('add');
  const osListId = useId();
  const form = draft.form;
  const ims = session.ims;
  const availability = routeAvailability(draft, session);
  const routeName = (route: ImsRouteChoice) => t(`ims.routes.${route}`);
  const auto = predictedRoute(draft, session);
  const osVersions = ims?.osVersions ?? null;
  const problem = (field: keyof FormProblems) => {
    const p = problems[field];
    return p ? messageText(p, t) : undefined;
  };
  return (
    <fieldset className="ims-fields">
      <legend>{t('ims.legend')}</legend>
      <div className="field-grid">
        <SelectField
          label={t('ims.route')}
          value={form.route}
          onChange={(route) => set({ route: route as ImsRouteChoice })}
          error={problem('route')}
          hint={form.route === 'auto' && auto ? t('ims.autoPicks', { route: routeName(auto) }) : undefined}
          options={IMS_ROUTES.map((route) => {
            const a = availability.find((r) => r.route === route);
            return {
              value: route,
              label:
                a?.available === false
                  ? t('ims.routeOptionUnavailable', { route: routeName(route) })
                  : t('ims.routeOption', { route: routeName(route) }),
            };
          })}
        />
        <TextField
          label={t('ims.osVersion')}
          value={form.osVersion}
          onChange={(osVersion) => set({ osVersion })}
          type="search"
          {...(osVersions ? { list: osListId } : {})}
          error={problem('osVersion')}
          required
          hint={osVersions ? t('ims.osVersionHint', { count: osVersions.length }) : t('ims.osVersionFree')}
        />
        {osVersions ? (
          <datalist id={osListId}>
            {osVersions.map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
        ) : null}
        <TextField
          label={t('ims.bucket')}
          value={form.bucket}
          onChange={(bucket) => set({ bucket: bucket.trim() })}
          placeholder={ims?.bucket ?? ''}
          error={problem('bucket')}
          hint={ims?.bucket ? t('ims.bucketHint', { bucket: ims.bucket }) : t('ims.bucketNone')}
        />
        <TextField
          label={t('ims.objectKey')}
          value={form.objectKey}
          onChange={(objectKey) => set({ objectKey })}
          error={problem('objectKey')}
          hint={t('ims.objectKeyHint', { key: `imagedrop/‹upload id›/${draft.fileName.replace(/\s+/g, '-')}` })}
        />
      </div>
      <CheckboxField
        label={t('ims.keepObject')}
        checked={form.keepObject}
        onChange={(keepObject) => set({ keepObject })}
      />
      <ul className="route-list" aria-label={t('ims.routesLabel', { name: draft.fileName })}>
        {availability.map((a) => (
          <li key={a.route} className={a.available ? 'route-ok' : 'route-no'}>
            {t('ims.routeLine', {
              route: routeName(a.route),
              state: a.available ? t('ims.available') : t('ims.unavailable', { reason: messageText(a.reason, t) }),
            })}
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
