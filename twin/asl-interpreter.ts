// The Amazon States Language interpreter the twin runs state machines with (aws-local-stepfunctions).
// It declares Node >= 22 and uses one Node 22 API, Promise.withResolvers (for Task timeouts); this
// project's machines run Node 20.19, so that one function is supplied when missing, as specified.
const promises = Promise as unknown as { withResolvers?: () => unknown };
promises.withResolvers ??= function withResolvers<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

export { StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
