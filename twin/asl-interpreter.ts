// The Amazon States Language interpreter the twin runs state machines with (aws-local-stepfunctions).
// It declares Node >= 22 and uses one Node 22 API, Promise.withResolvers (for Task timeouts); this
// project's machines run Node 20.19, so that one function is supplied when missing, as specified.
import type * as Asl from 'aws-local-stepfunctions' with { 'resolution-mode': 'import' };

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

// The package ships a CommonJS build (its "require" export); its types are written for ESM.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const asl = require('aws-local-stepfunctions') as typeof Asl;
export const StateMachine = asl.StateMachine;
export type StateMachine = Asl.StateMachine;
export type RunOptions = Asl.RunOptions;
export type StateMachineDefinition = Asl.StateMachineDefinition;
