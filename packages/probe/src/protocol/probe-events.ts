import type { SupervisedTrial } from '../baselines/supervised-search';
import type { FeatureEvent } from '../features/feature-events';
import type { SvmEvent } from '../svm/linear-svm-options';
import type { ProbeMethodResult } from './probe-report';

/** Progress of {@link runLinearProbe}, tagged by `status`. Library code never prints; apps render these. */
export type ProbeEvent =
  | {
      readonly status: 'method-start';
      readonly method: string;
      readonly kind: string;
      readonly index: number;
      readonly methodCount: number;
    }
  /** Feature extraction or batch-norm statistics of a method (`split`: which images). */
  | {
      readonly status: 'features';
      readonly method: string;
      readonly split: 'train' | 'test' | 'statistics';
      readonly event: FeatureEvent;
    }
  /** An SVM is being trained (every pass is reported; filter `event.status` for less). */
  | {
      readonly status: 'svm';
      readonly method: string;
      readonly phase: 'selection' | 'test';
      readonly draw: number;
      readonly cost: number;
      readonly event: SvmEvent;
    }
  | {
      readonly status: 'cost-evaluated';
      readonly method: string;
      readonly draw: number;
      readonly cost: number;
      readonly validationError: number;
    }
  | {
      readonly status: 'cost-selected';
      readonly method: string;
      readonly cost: number;
      readonly meanValidationError: number;
    }
  | {
      readonly status: 'supervised-epoch';
      readonly method: string;
      readonly draw: number;
      readonly epoch: number;
      readonly loss: number;
      readonly validationError: number;
    }
  /** A random-search trial of the supervised baseline finished (its hyperparameters are searched on draw 0). */
  | {
      readonly status: 'supervised-trial';
      readonly method: string;
      readonly trial: SupervisedTrial;
      readonly trials: number;
    }
  | {
      readonly status: 'draw-done';
      readonly method: string;
      readonly draw: number;
      readonly draws: number;
      readonly testError: number;
      readonly validationError: number;
    }
  | { readonly status: 'method-done'; readonly method: string; readonly result: ProbeMethodResult };

/** Receives {@link ProbeEvent}s. */
export type ProbeEventListener = (event: ProbeEvent) => void;
