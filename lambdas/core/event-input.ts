// What arrives may be a whole EventBridge event, a generator row ({detail, truth}) or a bare detail.
// One rule for all entry points: an object with an object `detail`, or a whole event, wraps it.

export interface UnwrappedInput {
  detail: unknown;
  /** The EventBridge event id, when the input was a whole event. */
  sourceEventId: string | null;
}

export function unwrapDetail(input: unknown): UnwrappedInput {
  if (input !== null && typeof input === 'object' && !Array.isArray(input) && Object.hasOwn(input, 'detail')) {
    const wrapper = input as { detail: unknown; id?: unknown };
    const detail = wrapper.detail;
    // A whole event (it names its source or detail-type) is a wrapper even when its detail is
    // broken, so the error names the detail rather than a missing donorId.
    const isEvent = Object.hasOwn(input, 'detail-type') || Object.hasOwn(input, 'source');
    if ((detail !== null && typeof detail === 'object' && !Array.isArray(detail)) || isEvent) {
      return { detail, sourceEventId: typeof wrapper.id === 'string' ? wrapper.id : null };
    }
  }
  return { detail: input, sourceEventId: null };
}
