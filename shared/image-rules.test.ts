import { describe, expect, it } from 'vitest';
import { GLANCE_IMAGE_STATUSES } from './glance.ts';
import { deletableBecause } from './image-rules.ts';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const MIN = 60_000;
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * MIN).toISOString();

describe('deletableBecause', () => {
  it.each([
    ['queued', 'stuck'],
    ['saving', 'stuck'],
    ['uploading', 'stuck'],
    ['importing', 'stuck'],
    ['killed', 'dead'],
    ['active', null],
    ['deactivated', null],
    ['pending_delete', null],
    ['deleted', null],
  ] as const)('%s idle for an hour → %s', (status, expected) => {
    expect(deletableBecause(status, at(60), NOW, 10 * MIN)).toBe(expected);
  });

  it('a stuck status updated within the threshold is not stuck; a killed one is dead at any age', () => {
    for (const status of ['queued', 'saving', 'uploading', 'importing'] as const)
      expect(deletableBecause(status, at(5), NOW, 10 * MIN)).toBeNull();
    expect(deletableBecause('killed', at(0), NOW, 10 * MIN)).toBe('dead');
    expect(deletableBecause('killed', 'not a date', NOW, 10 * MIN)).toBe('dead');
  });

  it('an unreadable date is never stuck', () => {
    expect(deletableBecause('queued', '', NOW, MIN)).toBeNull();
  });

  it('names every Glance status', () => {
    // A new status must be placed on purpose: this fails when one is added to the list.
    expect(GLANCE_IMAGE_STATUSES).toHaveLength(9);
  });
});
