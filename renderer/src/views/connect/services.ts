// The fields each kind of image service brings to the details form, keyed by kind.
import { GlanceConnectionFields, GlanceFields } from './GlanceFields.tsx';
import { ImsFields } from './ImsFields.tsx';
import type { ServiceFieldsByKind } from './service-fields.ts';

export const SERVICE_FIELDS: ServiceFieldsByKind = {
  glance: {
    label: (t) => t('form.glance'),
    Fields: GlanceFields,
    ConnectionFields: GlanceConnectionFields,
    authUrlPlaceholder: 'https://keystone.example.org:5000/v3',
    rememberHint: (t) => t('form.rememberHint'),
  },
  ims: {
    label: (t) => t('form.ims'),
    Fields: ImsFields,
    authUrlPlaceholder: 'https://iam.cn-north-4.myhuaweicloud.com/v3',
    authUrlHint: (t) => t('form.iamHint'),
    rememberHint: (t) => t('form.rememberImsHint'),
  },
};
