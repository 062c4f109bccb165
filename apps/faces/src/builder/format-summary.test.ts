import type { FaceDatasetSummary } from '@dcgan/faces';
import { describe, expect, it } from 'vitest';

import { formatSummary } from './format-summary.js';

const summary: FaceDatasetSummary = {
  settings: {
    minimumSize: 64,
    minimumScore: 0.5,
    candidateScore: 0.3,
    margin: 0.2,
    imageSize: 64,
    model: 'ssd-mobilenet-v1',
    detectionSize: 1024,
  },
  photosListed: 10,
  photosRead: 8,
  photosResumed: 3,
  facesFound: 20,
  facesKept: 15,
  rejected: { 'low-score': 2, 'too-small': 3 },
  unreadable: [
    { file: 'a.jpg', reason: 'cannot decode image: premature end of JPEG image' },
    { file: 'b.png', reason: 'cannot read file: EACCES' },
  ],
  interrupted: false,
  seconds: 12,
  files: {
    crops: '/work/out/crops',
    boxesCsv: '/work/out/boxes.csv',
    boxesJson: '/work/out/boxes.json',
    contactSheet: '/work/out/contact-sheet.png',
    detections: '/work/out/detections.jsonl',
    summary: '/work/out/summary.json',
  },
};

describe('formatSummary', () => {
  it('gives counts, rejections by reason, every unreadable file, and paths near the working folder', () => {
    expect(formatSummary(summary, '/work')).toBe(
      [
        'Done.',
        'Photos:        10 listed, 8 read, 2 unreadable (3 done by an earlier run)',
        'Faces:         20 found, 15 kept, 5 rejected (low-score 2, too-small 3)',
        'Unreadable files:',
        '  a.jpg: cannot decode image: premature end of JPEG image',
        '  b.png: cannot read file: EACCES',
        'Crops:         out/crops/ (64x64 PNG)',
        'Boxes:         out/boxes.csv, out/boxes.json',
        'Contact sheet: out/contact-sheet.png',
        'Detections:    out/detections.jsonl',
      ].join('\n'),
    );
  });

  it('says how to resume an interrupted run, and keeps far paths absolute', () => {
    const text = formatSummary({ ...summary, interrupted: true, unreadable: [] }, '/elsewhere');
    expect(text.split('\n')[0]).toBe('Interrupted: run the same command again to resume.');
    expect(text).toContain('Contact sheet: /work/out/contact-sheet.png');
    expect(text).not.toContain('Unreadable files');
  });
});
