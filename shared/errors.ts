// The one error shape that crosses every boundary: engine → IPC → renderer, and core → CLI.
// Match on `code` (stable), never on message text or instanceof.

export type AppErrorCode =
  // Keystone and sessions
  | 'auth/invalid-credentials'
  | 'auth/token-rejected'
  | 'auth/forbidden'
  | 'auth/no-image-endpoint'
  | 'auth/not-connected'
  | 'auth/unavailable'
  | 'auth/unexpected-status'
  | 'auth/unexpected-response'
  /** A connect overtaken by a later connect (or a disconnect) before it finished: it did not take over. */
  | 'auth/superseded'
  // Huawei Cloud IAM: AK/SK signing and the project a region stands for
  | 'auth/access-key-rejected'
  | 'auth/clock-skew'
  | 'auth/project-not-found'
  | 'auth/project-ambiguous'
  // Cloud configuration (clouds.yaml, secure.yaml, OS_* variables)
  | 'config/cloud-not-found'
  | 'config/missing-field'
  | 'config/unreadable'
  | 'config/invalid'
  // The image service, by HTTP status (and refined by Glance's own message where it helps)
  | 'glance/bad-request'
  | 'glance/formats-not-set'
  | 'glance/unknown-store'
  | 'glance/not-found'
  | 'glance/conflict'
  | 'glance/gone'
  | 'glance/too-large'
  | 'glance/quota-exceeded'
  | 'glance/unsupported-media-type'
  | 'glance/server-error'
  | 'glance/unavailable'
  | 'glance/unexpected-status'
  | 'glance/unexpected-response'
  | 'glance/import-unavailable'
  | 'glance/import-failed'
  // Huawei Cloud IMS (and its IMG.xxxx codes), in the pre-flight checks and in IMS's answers alike
  | 'ims/bad-request'
  | 'ims/needs-token'
  | 'ims/invalid-name'
  | 'ims/invalid-min-disk'
  | 'ims/invalid-os-version'
  | 'ims/invalid-tag'
  | 'ims/format-not-accepted'
  | 'ims/object-unusable'
  | 'ims/object-key-invalid'
  | 'ims/bucket-unusable'
  | 'ims/bucket-wrong-region'
  | 'ims/storage-class'
  | 'ims/file-too-large'
  | 'ims/quota-exceeded'
  | 'ims/throttled'
  | 'ims/project-mismatch'
  | 'ims/forbidden'
  | 'ims/billing'
  | 'ims/image-not-found'
  | 'ims/image-protected'
  | 'ims/image-busy'
  | 'ims/conflict'
  | 'ims/too-large'
  | 'ims/register-failed'
  | 'ims/job-failed'
  | 'ims/job-not-found'
  | 'ims/server-error'
  | 'ims/unavailable'
  | 'ims/unexpected-status'
  | 'ims/unexpected-response'
  // The object store (OBS or any S3-compatible store): S3 error codes, and what is checked locally
  | 'objstore/config'
  | 'objstore/no-such-bucket'
  | 'objstore/invalid-bucket'
  | 'objstore/access-denied'
  | 'objstore/signature'
  | 'objstore/unknown-access-key'
  | 'objstore/expired-token'
  | 'objstore/clock-skew'
  | 'objstore/wrong-region'
  | 'objstore/wrong-endpoint'
  | 'objstore/invalid-key'
  | 'objstore/too-large'
  | 'objstore/bad-part-size'
  | 'objstore/no-such-upload'
  | 'objstore/no-such-key'
  | 'objstore/bad-digest'
  | 'objstore/invalid-part'
  | 'objstore/integrity'
  | 'objstore/slow-down'
  | 'objstore/request-timeout'
  | 'objstore/server-error'
  | 'objstore/quota-exceeded'
  | 'objstore/not-supported'
  | 'objstore/bad-request'
  | 'objstore/unexpected-status'
  | 'objstore/unexpected-response'
  // The network between us and the cloud
  | 'network/timeout'
  | 'network/refused'
  | 'network/dns'
  | 'network/tls'
  | 'network/reset'
  | 'network/unreachable'
  // Local files
  | 'file/not-found'
  | 'file/unreadable'
  | 'file/not-a-file'
  | 'file/empty'
  | 'file/too-large'
  | 'file/changed'
  /** A path outside the folders `imagedrop serve --root` shares (or shaped to escape them). */
  | 'file/outside-roots'
  // The format inspector and the cloud's accepted formats
  | 'inspect/unsafe'
  | 'inspect/format-not-accepted'
  // Preflight and the upload engine
  | 'preflight/image-not-queued'
  | 'preflight/unknown-store'
  | 'upload/cancelled'
  | 'upload/interrupted'
  | 'upload/killed'
  | 'upload/stuck-saving'
  | 'upload/verify-timeout'
  | 'upload/integrity'
  | 'upload/unverified'
  | 'upload/not-resumable'
  | 'upload/record-uncertain'
  // Imagedrop's own files: the job log (no record is created without it), remembered connections
  | 'joblog/unwritable'
  | 'joblog/unreadable'
  | 'data/unwritable'
  // The operator dashboard
  | 'dashboard/not-stuck'
  /** A multipart upload a job of this app (or of the CLI) can still resume: not aborted from the dashboard. */
  | 'dashboard/upload-in-use'
  // The IPC bridge
  | 'ipc/invalid-request'
  | 'ipc/untrusted-sender'
  | 'ipc/unknown-upload'
  | 'ipc/path-not-granted'
  // `imagedrop serve`: the web transport and its server
  | 'serve/signed-out'
  | 'serve/forbidden'
  | 'serve/rate-limited'
  | 'serve/unreachable'
  | 'serve/insecure-bind'
  | 'serve/bad-option'
  | 'serve/data-dir-busy'
  | 'serve/not-built'
  | 'serve/no-native-dialog'
  | 'serve/no-keychain'
  | 'serve/clipboard'
  | 'internal';

export interface AppError {
  /** Stable machine-readable code. */
  readonly code: AppErrorCode;
  /** One sentence a user can act on. Never contains a token or a password. */
  readonly message: string;
  /** True when trying the same thing again later may succeed. */
  readonly retryable: boolean;
  /** The HTTP status the server answered, when there was one. */
  readonly httpStatus?: number;
  /** The server's own message, cleaned of HTML. */
  readonly serverMessage?: string;
  /** Extra facts for a details view: errno, failed check names, a file path. */
  readonly detail?: string;
}

/** True for values that already have the AppError shape (for example after crossing IPC). */
export function isAppError(value: unknown): value is AppError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.message === 'string' && typeof v.retryable === 'boolean';
}
