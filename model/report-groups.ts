// The donor groups a registry reports calibration for, read from the model's own feature vector (so
// training, `drs evaluate` and monitoring group donors identically) plus the score band and, in
// synthetic data only, the ancestry group the generator knows.
import { FEATURES } from '../lambdas/core/features';
import { bandOf, type ModelManifest } from '../lambdas/core/model-manifest';
import { calibrationByGroup, type GroupCalibration } from './calibration';

const at = (name: string) => {
  const i = FEATURES.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`no feature ${name}`);
  return i;
};
const AGE = at('ageYears');
const FEMALE = at('female');
const SEX_UNKNOWN = at('sexUnknown');
const YEARS = at('yearsOnRegistry');
const ONLINE = at('recruitedOnline');
const BLOOD_CENTER = at('recruitedAtBloodCenter');
const OTHER = at('recruitedOtherChannel');
const ABROAD = at('livesAbroad');
const PAUSE = at('daysUntilAvailableAgain');

export const REPORT_DIMENSIONS = [
  'ageBand',
  'sex',
  'residence',
  'recruitmentChannel',
  'yearsOnRegistry',
  'paused',
  'scoreBand',
  'ancestryGroup',
] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

function ageBand(age: number): string {
  if (age < 30) return '18-29';
  if (age < 40) return '30-39';
  if (age < 50) return '40-49';
  return '50-60';
}

function yearsBand(years: number): string {
  if (years < 2) return '0-2 years';
  if (years < 5) return '2-5 years';
  if (years < 10) return '5-10 years';
  return '10+ years';
}

export function groupOf(
  dimension: ReportDimension,
  vector: readonly number[],
  score: number,
  bands: ModelManifest['bands'],
  ancestryGroup?: string,
): string | undefined {
  switch (dimension) {
    case 'ageBand':
      return ageBand(vector[AGE]);
    case 'sex':
      return vector[FEMALE] ? 'F' : vector[SEX_UNKNOWN] ? 'U' : 'M';
    case 'residence':
      return vector[ABROAD] ? 'international' : 'domestic';
    case 'recruitmentChannel':
      return vector[ONLINE] ? 'online' : vector[BLOOD_CENTER] ? 'blood_center' : vector[OTHER] ? 'other' : 'drive';
    case 'yearsOnRegistry':
      return yearsBand(vector[YEARS]);
    case 'paused':
      return vector[PAUSE] > 0 ? 'paused' : 'not paused';
    case 'scoreBand':
      return bandOf(score, bands);
    case 'ancestryGroup':
      return ancestryGroup;
  }
}

/** Calibration with 95% intervals for every reported dimension (rows without a vector are left out). */
export function calibrationByReportGroup(
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
  vectors: readonly (readonly number[] | undefined)[],
  bands: ModelManifest['bands'],
  ancestry?: readonly (string | undefined)[],
): GroupCalibration[] {
  return REPORT_DIMENSIONS.flatMap((dimension) =>
    calibrationByGroup(dimension, predicted, labels, (i) => {
      const v = vectors[i];
      return v ? groupOf(dimension, v, predicted[i], bands, ancestry?.[i]) : undefined;
    }),
  );
}
