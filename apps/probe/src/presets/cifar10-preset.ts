import type { ProbeDefaults } from '../run-probe-command.js';

/**
 * The paper's CIFAR-10 protocol (section 5.1): an L2-SVM on D's features of all 50,000 training images,
 * C chosen on a held-out part (5,000, stratified), then refitted on all 50,000, one test error on the
 * 10,000 test images. Baselines: a random D of the same architecture and raw pixels (the supervised CNN
 * is off by default; add it with --methods).
 */
export const cifar10Preset: ProbeDefaults = Object.freeze<ProbeDefaults>({
  programName: 'dcgan-probe-cifar10',
  dataset: 'cifar10',
  labelsPerClass: null,
  validation: 5000,
  draws: 1,
  selectionDraws: 1,
  methods: ['discriminator', 'random', 'pixels'],
});
