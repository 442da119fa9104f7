// L2-regularised logistic regression fitted by Newton's method (IRLS) on standardised columns.
// Small, exact and deterministic: the same rows give the same bytes of weights on every run.

export interface LogisticFit {
  intercept: number;
  weights: number[];
  iterations: number;
  converged: boolean;
  /** Mean log-loss on the training rows at the solution. */
  logLoss: number;
}

/** Solves A x = b for a symmetric positive-definite A (row-major n x n) by Cholesky. */
function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (sum <= 0) throw new Error('Hessian is not positive definite: raise the L2 penalty');
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j];
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * n + k] * y[k];
    y[i] = sum / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k];
    x[i] = sum / l[i * n + i];
  }
  return x;
}

/**
 * Fits P(y=1) = sigmoid(b + X w). `columns[j]` is column j of X. The penalty `l2` applies to the
 * weights of standardised columns (not the intercept), so it does not depend on units.
 */
export function fitLogistic(columns: Float64Array[], labels: Uint8Array, l2: number, maxIterations = 50): LogisticFit {
  const n = labels.length;
  const p = columns.length;
  const means = columns.map((c) => c.reduce((s, v) => s + v, 0) / n);
  const scales = columns.map((c, j) => {
    const variance = c.reduce((s, v) => s + (v - means[j]) ** 2, 0) / n;
    return variance > 0 ? Math.sqrt(variance) : 1;
  });
  const z = columns.map((c, j) => c.map((v) => (v - means[j]) / scales[j]));
  const d = p + 1; // parameter 0 is the intercept
  const beta = new Float64Array(d);
  const eta = new Float64Array(n);
  const mu = new Float64Array(n);
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIterations && !converged; iterations++) {
    for (let i = 0; i < n; i++) {
      let e = beta[0];
      for (let j = 0; j < p; j++) e += beta[j + 1] * z[j][i];
      eta[i] = e;
      mu[i] = 1 / (1 + Math.exp(-e));
    }
    const hessian = new Float64Array(d * d);
    const gradient = new Float64Array(d);
    const row = new Float64Array(d);
    row[0] = 1;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) row[j + 1] = z[j][i];
      const w = mu[i] * (1 - mu[i]);
      const r = labels[i] - mu[i];
      for (let a = 0; a < d; a++) {
        gradient[a] += row[a] * r;
        const wa = w * row[a];
        for (let b = 0; b <= a; b++) hessian[a * d + b] += wa * row[b];
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) hessian[b * d + a] = hessian[a * d + b];
    for (let a = 1; a < d; a++) {
      hessian[a * d + a] += l2;
      gradient[a] -= l2 * beta[a];
    }
    const step = choleskySolve(hessian, gradient, d);
    let largest = 0;
    for (let a = 0; a < d; a++) {
      beta[a] += step[a];
      largest = Math.max(largest, Math.abs(step[a]));
    }
    converged = largest < 1e-10;
  }
  let logLoss = 0;
  for (let i = 0; i < n; i++) {
    let e = beta[0];
    for (let j = 0; j < p; j++) e += beta[j + 1] * z[j][i];
    logLoss += labels[i] ? Math.log1p(Math.exp(-e)) : Math.log1p(Math.exp(e));
  }
  // Back to the original units: w_j = beta_j / s_j, b = beta_0 - sum(beta_j m_j / s_j).
  const weights = columns.map((_, j) => beta[j + 1] / scales[j]);
  const intercept = beta[0] - weights.reduce((s, w, j) => s + w * means[j], 0);
  return { intercept, weights, iterations, converged, logLoss: logLoss / n };
}

/**
 * The same fit with sign constraints: `signs[j]` = +1 keeps weight j >= 0, -1 keeps it <= 0, 0 leaves
 * it free. An active-set loop: fit, pin the weights that broke their sign at 0, refit, and release a
 * pinned weight when the likelihood's gradient would move it into its allowed side (KKT).
 */
export function fitLogisticWithSigns(
  columns: Float64Array[],
  labels: Uint8Array,
  l2: number,
  signs: readonly (-1 | 0 | 1)[],
): LogisticFit & { pinned: number[] } {
  const p = columns.length;
  const pinned = new Set<number>();
  for (let round = 0; round < 4 * p + 4; round++) {
    const free = columns.map((_, j) => j).filter((j) => !pinned.has(j));
    const fit = fitLogistic(free.map((j) => columns[j]), labels, l2);
    const weights = new Array<number>(p).fill(0);
    free.forEach((j, k) => (weights[j] = fit.weights[k]));
    const violators = free.filter((j) => signs[j] * weights[j] < 0);
    if (violators.length) {
      // Pin every violator at once (each refit costs a full pass); the release step below undoes
      // a pin that turns out not to be needed.
      for (const j of violators) pinned.add(j);
      continue;
    }
    // Release a pinned weight whose gradient points into its allowed side.
    const n = labels.length;
    const residual = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let e = fit.intercept;
      for (const j of free) e += weights[j] * columns[j][i];
      residual[i] = labels[i] - 1 / (1 + Math.exp(-e));
    }
    let release = -1;
    let best = 1e-9;
    for (const j of pinned) {
      let g = 0;
      for (let i = 0; i < n; i++) g += residual[i] * columns[j][i];
      if (signs[j] * g > best) {
        best = signs[j] * g;
        release = j;
      }
    }
    if (release < 0) return { ...fit, weights, pinned: [...pinned].sort((a, b) => a - b) };
    pinned.delete(release);
  }
  throw new Error('sign-constrained fit did not settle: check the monotone settings in training-config.json');
}
