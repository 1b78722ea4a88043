// Builders for contract objects in tests: every field filled with something plausible, and
// each overridable.
import type { AppError } from '../../../shared/errors.ts';
import type { ImageSummary } from '../../../shared/ipc.ts';
import type { Inspection } from '../../../shared/inspect.ts';
import type { CloudEntry, SessionInfo } from '../../../shared/session.ts';
import { stepViews, type StepRecords } from '../../../shared/targets.ts';
import type { UploadSnapshot } from '../../../shared/upload.ts';

export const GIB = 1024 ** 3;
export const MIB = 1024 ** 2;

export function makeError(overrides: Partial<AppError> = {}): AppError {
  return { code: 'internal', message: 'Something went wrong.', retryable: false, ...overrides };
}

export function makeSession(overrides: Partial<SessionInfo> = {}): SessionInfo {
  return {
    cloud: null,
    cloudKey: 'https://keystone.example.org:5000/v3|p1|RegionOne',
    authUrl: 'https://keystone.example.org:5000/v3',
    user: { id: 'u1', name: 'alice', domain: 'Default' },
    project: { id: 'p1', name: 'demo', domain: 'Default' },
    region: 'RegionOne',
    interface: 'public',
    imageEndpoint: 'https://glance.example.org:9292',
    imageService: {
      kind: 'glance',
      reason: 'the default: nothing in the configuration names Huawei Cloud IMS',
      inferred: true,
    },
    imageApiVersion: '2.16',
    roles: ['member'],
    expiresAt: '2030-01-01T00:00:00Z',
    warnings: [],
    capabilities: {
      diskFormats: ['raw', 'qcow2', 'vmdk', 'vhd', 'vhdx', 'vdi', 'iso'],
      containerFormats: ['bare', 'ovf', 'ova'],
      stores: [],
      importMethods: ['glance-direct'],
      sizeLimit: 128 * GIB,
    },
    ...overrides,
  };
}

export function makeCloud(overrides: Partial<CloudEntry> = {}): CloudEntry {
  return {
    name: 'devstack',
    source: '/home/alice/.config/openstack/clouds.yaml',
    authUrl: 'https://keystone.example.org:5000/v3',
    warnings: [],
    ...overrides,
  };
}

export function makeInspection(overrides: Partial<Inspection> = {}): Inspection {
  return {
    file: '/images/disk.qcow2',
    format: 'qcow2',
    subformat: 'compat-1.1',
    virtualSize: 10 * GIB,
    size: 700 * MIB,
    safe: true,
    reasons: [],
    diskFormat: 'qcow2',
    ...overrides,
  };
}

let snapshotClock = 1_700_000_000_000;

/** A job's snapshot; `records` are its step records, from which the step views are made as main makes them. */
export function makeSnapshot(overrides: Partial<UploadSnapshot> & { records?: StepRecords } = {}): UploadSnapshot {
  snapshotClock += 1;
  const { records, ...rest } = overrides;
  const fileName = rest.fileName ?? 'disk.qcow2';
  const target = rest.target ?? 'glance';
  const phase = rest.phase ?? 'uploading';
  return {
    id: 'job-1',
    file: `/images/${fileName}`,
    fileName,
    imageName: fileName.replace(/\.[^.]+$/, ''),
    diskFormat: 'qcow2',
    containerFormat: 'bare',
    visibility: 'private',
    store: null,
    cloudKey: 'https://keystone.example.org:5000/v3|p1|RegionOne',
    cloudName: null,
    userName: null,
    format: 'qcow2',
    virtualSize: 10 * GIB,
    target,
    phase,
    imageId: '0b5e6b3a-1111-4222-8333-444455556666',
    createdImage: true,
    imageStatus: 'saving',
    bytesSent: 300 * MIB,
    bytesTotal: 700 * MIB,
    bytesPerSecond: 50 * MIB,
    etaSeconds: 8,
    attempt: 1,
    retryAt: null,
    resume: { kind: 'none' },
    error: null,
    steps: stepViews(
      target,
      records ?? {
        checked: { startedAt: 1_700_000_000_000, endedAt: 1_700_000_000_500 },
        created: { startedAt: 1_700_000_001_000, endedAt: 1_700_000_001_000 },
        uploading: { startedAt: 1_700_000_002_000, endedAt: null },
      },
      phase,
    ),
    checksums: { algorithm: 'sha512', local: null, server: null, md5Local: null, md5Server: null },
    verified: false,
    verifiedBy: null,
    object: null,
    remoteJob: null,
    stores: null,
    leftover: null,
    createdAt: 1_700_000_000_000,
    startedAt: 1_700_000_000_000,
    finishedAt: null,
    averageSpeed: null,
    updatedAt: snapshotClock,
    ...rest,
  };
}

export function makeImage(overrides: Partial<ImageSummary> = {}): ImageSummary {
  return {
    id: 'img-1',
    name: 'ubuntu',
    status: 'active',
    size: 700 * MIB,
    diskFormat: 'qcow2',
    containerFormat: 'bare',
    visibility: 'private',
    owner: 'p1',
    protected: false,
    createdAt: '2025-01-01T10:00:00Z',
    updatedAt: '2025-01-01T10:05:00Z',
    checksum: null,
    osHashAlgo: 'sha512',
    osHashValue: null,
    minDisk: null,
    stores: [],
    importingToStores: [],
    failedImportStores: [],
    osVersion: null,
    imageSourceType: null,
    createdByImagedrop: false,
    ownedByProject: true,
    uploadingHere: false,
    ...overrides,
  };
}
