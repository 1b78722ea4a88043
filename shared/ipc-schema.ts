// Runtime validation of every IPC payload, derived from the contract in ipc.ts. Main parses the
// arguments of each call with these before it does anything; a bad payload gets
// 'ipc/invalid-request' back, never an exception.
import { z } from 'zod';
import { authUrlProblem } from './auth-url.ts';
import { VISIBILITIES } from './glance.ts';
import { IMS_ROUTES } from './upload.ts';
import { ABSOLUTE_PATH, MIN_STUCK_AFTER_MINUTES, type InvokeArgs, type InvokeMethod } from './ipc.ts';

const MAX_PATH = 4096;
const MAX_FILES = 1000;

/** Absolute paths only (POSIX, a Windows drive, or a UNC share): main never resolves against its own folder. */
const path = z.string().min(1).max(MAX_PATH).regex(ABSOLUTE_PATH, 'must be an absolute path');
const MAX_PROPERTIES = 128;
const MAX_STUCK_AFTER_MINUTES = 60 * 24 * 365;
const uuidLike = z.string().min(1).max(128);
const selection = z.union([z.literal('all'), z.array(uuidLike).max(MAX_FILES)]);
const shortText = z.string().max(255);

const passwordAuth = z.object({
  type: z.literal('password'),
  username: z.string().min(1).max(255),
  password: z.string().min(1).max(4096),
  userDomainName: shortText.optional(),
  projectName: z.string().min(1).max(255),
  projectDomainName: shortText.optional(),
});

const appCredentialAuth = z.object({
  type: z.literal('application-credential'),
  applicationCredentialId: shortText.optional(),
  applicationCredentialName: shortText.optional(),
  username: shortText.optional(),
  userDomainName: shortText.optional(),
  secret: z.string().min(1).max(4096),
});

const authUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .refine((url) => authUrlProblem(url) === null, {
    error: (issue) => `the auth URL ${authUrlProblem(String(issue.input)) ?? 'is invalid'}`,
  });
const endpoint = z.url({ protocol: /^https?$/ }).max(2048);
const secret = z.string().min(1).max(4096);

const glanceManual = z.object({
  kind: z.literal('manual'),
  imageService: z.literal('glance').optional(),
  authUrl,
  auth: z.discriminatedUnion('type', [passwordAuth, appCredentialAuth]),
  regionName: shortText.optional(),
  interface: z.enum(['public', 'internal', 'admin']).optional(),
  cacertPath: path.optional(),
  remember: z.boolean(),
  label: shortText.optional(),
});

const imsManual = z
  .object({
    kind: z.literal('manual'),
    imageService: z.literal('ims'),
    authUrl,
    auth: z.discriminatedUnion('type', [
      z.object({
        type: z.literal('password'),
        username: z.string().min(1).max(255),
        password: secret,
        accountName: z.string().min(1).max(255),
      }),
      z.object({ type: z.literal('access-key') }),
    ]),
    projectName: z.string().min(1).max(255).optional(),
    projectId: z.string().min(1).max(255).optional(),
    regionName: z.string().min(1).max(255).optional(),
    accessKeys: z
      .object({
        accessKey: z.string().min(1).max(255),
        secretKey: secret,
        securityToken: z.string().min(1).max(16384).optional(),
      })
      .optional(),
    obsBucket: z.string().min(3).max(63).optional(),
    imageEndpointOverride: endpoint.optional(),
    obsEndpointOverride: endpoint.optional(),
    cacertPath: path.optional(),
    remember: z.boolean(),
    label: shortText.optional(),
  })
  .refine((r) => r.projectName !== undefined || r.projectId !== undefined || r.regionName !== undefined, {
    error: 'an IMS connection needs its project (the region, e.g. cn-north-4), a project id or a region',
    path: ['projectName'],
  })
  .refine((r) => r.auth.type !== 'access-key' || r.accessKeys !== undefined, {
    error: 'an IMS connection without a password needs an access key (AK/SK)',
    path: ['accessKeys'],
  });

export const connectRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cloud'), cloud: z.string().min(1).max(255), remembered: z.boolean().optional() }),
  z.discriminatedUnion('imageService', [glanceManual, imsManual]),
]);

export const uploadRequestSchema = z.object({
  path,
  name: z.string().min(1).max(255),
  diskFormat: z.string().min(1).max(32),
  containerFormat: z.string().min(1).max(32),
  visibility: z.enum(VISIBILITIES),
  minDisk: z.number().int().min(0).max(1_000_000).optional(),
  minRam: z.number().int().min(0).max(100_000_000).optional(),
  protected: z.boolean().optional(),
  tags: z.array(z.string().min(1).max(255)).max(128).optional(),
  properties: z
    .record(z.string().min(1).max(255), z.string().max(65535))
    .refine((p) => Object.keys(p).length <= MAX_PROPERTIES, `at most ${MAX_PROPERTIES} properties`)
    .optional(),
  store: z.string().min(1).max(255).optional(),
  route: z.enum(IMS_ROUTES).optional(),
  bucket: z.string().min(3).max(63).optional(),
  objectKey: z.string().min(1).max(1024).optional(),
  osVersion: z.string().min(1).max(255).optional(),
  keepObject: z.boolean().optional(),
  import: z
    .object({
      stores: z.union([z.literal('all'), z.array(z.string().min(1).max(255)).max(64)]),
      allowFailure: z.boolean(),
    })
    .optional(),
});

/** One tuple schema per invoke method: exactly the arguments the contract declares. */
export const INVOKE_ARGS = {
  listClouds: z.tuple([]),
  connect: z.tuple([connectRequestSchema]),
  disconnect: z.tuple([]),
  getSession: z.tuple([]),
  canRememberSecrets: z.tuple([]),
  forgetConnection: z.tuple([z.string().min(1).max(255)]),
  pickCaFile: z.tuple([]),
  pickFiles: z.tuple([]),
  inspectFiles: z.tuple([z.array(path).min(1).max(MAX_FILES)]),
  startUploads: z.tuple([z.array(uploadRequestSchema).min(1).max(MAX_FILES)]),
  pauseUploads: z.tuple([selection]),
  resumeUploads: z.tuple([selection, z.object({ recreate: z.boolean().optional() }).optional()]),
  cancelUploads: z.tuple([selection]),
  retryUploads: z.tuple([selection]),
  clearUploads: z.tuple([selection]),
  listUploads: z.tuple([]),
  listImages: z.tuple([]),
  getUsage: z.tuple([]),
  deleteImages: z.tuple([
    z.array(uuidLike).min(1).max(MAX_FILES),
    z.object({ stuckAfterMinutes: z.number().int().min(MIN_STUCK_AFTER_MINUTES).max(MAX_STUCK_AFTER_MINUTES) }),
  ]),
  exportDashboard: z.tuple([
    z.object({
      what: z.enum(['images', 'history']),
      format: z.enum(['csv', 'json']),
      imageIds: z.array(uuidLike).max(100_000).optional(),
    }),
  ]),
  copyImageToStores: z.tuple([uuidLike, z.array(z.string().min(1).max(255)).min(1).max(64)]),
  listImageCopies: z.tuple([]),
  listMultipartUploads: z.tuple([]),
  abortMultipartUploads: z.tuple([z.array(z.string().min(1).max(1024)).min(1).max(MAX_FILES)]),
  copyText: z.tuple([z.string().max(65535)]),
  listHostRoots: z.tuple([]),
  listHostDirectory: z.tuple([path]),
  chooseHostFiles: z.tuple([z.array(path).min(1).max(MAX_FILES)]),
  chooseHostCaFile: z.tuple([path]),
} satisfies { [M in InvokeMethod]: z.ZodType };

export type ParsedArgs<M extends InvokeMethod> = InvokeArgs<M>;

/** Parses the raw arguments of a call; returns a sentence naming what is wrong, or the typed tuple. */
export function parseInvokeArgs<M extends InvokeMethod>(
  method: M,
  args: readonly unknown[],
): { ok: true; args: InvokeArgs<M> } | { ok: false; problem: string } {
  // Optional trailing arguments arrive as undefined through ipcRenderer.invoke; drop them.
  const trimmed = [...args];
  while (trimmed.length > 0 && trimmed[trimmed.length - 1] === undefined) trimmed.pop();
  const parsed = INVOKE_ARGS[method].safeParse(trimmed);
  if (parsed.success) return { ok: true, args: parsed.data as unknown as InvokeArgs<M> };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, problem: `${method}: ${issue?.message ?? 'invalid arguments'}${where}` };
}
