// What arrives may be a whole EventBridge event, a generator row ({detail, truth}) or a bare detail.
// One rule for all entry points: an object with an object `detail` is a wrapper around it.

export interface UnwrappedInput {
  detail: unknown;
  /** The EventBridge event id, when the input was a whole event. */
  sourceEventId: string | null;
}

export function unwrapDetail(input: unknown): UnwrappedInput {
  if (input !== null && typeof input === 'object' && !Array.isArray(input) && Object.hasOwn(input, 'detail')) {
    const wrapper = input as { detail: unknown; id?: unknown };
    const detail = wrapper.detail;
    if (detail !== null && typeof detail === 'object' && !Array.isArray(detail)) {
      return { detail, sourceEventId: typeof wrapper.id === 'string' ? wrapper.id : null };
    }
  }
  return { detail: input, sourceEventId: null };
}
