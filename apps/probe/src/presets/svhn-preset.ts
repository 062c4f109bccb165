import type { ProbeDefaults } from '../run-probe-command.js';

/**
 * The paper's SVHN protocol (section 5.2, the authors' svhn_semisup_analysis.py): a 10,000-image validation
 * split for C (10 draws per C), then 100 draws of 1,000 labels (100 per class), test error mean and spread;
 * against a random D, raw pixels and D's architecture trained on the same labels (10 draws: each trains a
 * network, with learning rate and batch size chosen by random search over 64 trials on the validation
 * split, as the paper's section 5.2 did).
 */
export const svhnPreset: ProbeDefaults = Object.freeze<ProbeDefaults>({
  programName: 'dcgan-probe-svhn',
  dataset: 'svhn',
  labelsPerClass: 100,
  validation: 10_000,
  draws: 100,
  selectionDraws: 10,
  supervisedDraws: 10,
  supervisedTrials: 64,
  methods: ['discriminator', 'random', 'pixels', 'supervised'],
});
