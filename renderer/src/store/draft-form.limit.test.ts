// The upload limit in the Add images view is exclusive, as everywhere (issue 8, item 12e).
import { describe, expect, it } from 'vitest';
import { i18n } from '../i18n/index.ts';
import { makeInspection, makeSession } from '../testing/fixtures.ts';
import { messageText } from './draft-message.ts';
import { draftVerdict, newDraft, prefillForm, type Draft } from './draft-form.ts';

function inspectedOfSize(size: number): Draft {
  const draft = newDraft('/img/disk.raw');
  const inspection = makeInspection({ size, format: 'raw', diskFormat: 'raw' });
  return { ...draft, status: 'inspected', inspection, form: prefillForm(draft.fileName, inspection) };
}

describe('the size limit of a draft', () => {
  const limit = 1000;
  const session = makeSession({ capabilities: { ...makeSession().capabilities, sizeLimit: limit } });

  it('blocks a file of exactly the limit, saying files must be smaller', () => {
    const verdict = draftVerdict(inspectedOfSize(limit), session);
    expect(verdict.kind).toBe('blocked');
    expect(
      verdict.kind === 'blocked' && verdict.reasons.map((r) => messageText(r, i18n.getFixedT('en', 'add'))),
    ).toEqual(['The file is 1000 B; this cloud takes only files smaller than 1000 B.']);
  });

  it('lets one byte less through', () => {
    expect(draftVerdict(inspectedOfSize(limit - 1), session).kind).toBe('ready');
  });
});
