import { describe, expect, it } from 'vitest';
import { imageUrl, uploadTag, UPLOAD_TAG_KEY } from './ims.ts';

describe('the tag that finds a job’s record again', () => {
  it('is imagedrop_upload_id=<job id>, within IMS’s tag rules', () => {
    const id = '3f2c9a4e-1b7d-4c55-9e0a-2d6f8b1c7a90';
    expect(uploadTag(id)).toBe(`${UPLOAD_TAG_KEY}=${id}`);
    expect(UPLOAD_TAG_KEY.length).toBeLessThanOrEqual(36);
    expect(uploadTag('a'.repeat(43))).toMatch(/=a{43}$/);
  });

  it.each(['', 'a'.repeat(44), 'has space', 'semi;colon', 'a=b'])('refuses %j as a tag value', (id) => {
    expect(() => uploadTag(id)).toThrow(expect.objectContaining({ code: 'internal' }));
  });
});

describe('image_url', () => {
  it('is bucket:key, the key keeping its folders and colons', () => {
    expect(imageUrl({ bucket: 'images', key: 'imagedrop/2026/disk.qcow2' })).toBe('images:imagedrop/2026/disk.qcow2');
    expect(imageUrl({ bucket: 'images', key: 'a:b' })).toBe('images:a:b');
  });
});
