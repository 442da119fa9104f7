// Resolves CloudFormation intrinsic functions in the synthesized template against the local
// resources, so the function sees the same environment it would see in AWS, pointing at local twins.
// Refuses what it does not understand instead of guessing.

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, any>;
  DependsOn?: string | string[];
  Metadata?: Record<string, unknown>;
}

export interface StackTemplate {
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

/** What a local resource answers to `Ref` and `Fn::GetAtt`. */
export interface LocalIdentity {
  ref: string;
  attributes: Record<string, string>;
}

export interface ResolveContext {
  region: string;
  account: string;
  stackName: string;
  resources: Map<string, LocalIdentity>;
}

const PSEUDO: Record<string, (ctx: ResolveContext) => string> = {
  'AWS::Region': (ctx) => ctx.region,
  'AWS::AccountId': (ctx) => ctx.account,
  'AWS::Partition': () => 'aws',
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::StackName': (ctx) => ctx.stackName,
};

export class UnresolvableError extends Error {
  override readonly name = 'UnresolvableError';
}

function identity(ctx: ResolveContext, logicalId: string): LocalIdentity {
  const found = ctx.resources.get(logicalId);
  if (!found) throw new UnresolvableError(`the template refers to ${logicalId}, which the local twin has not created`);
  return found;
}

export function resolveValue(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, ctx));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0];
    if (fn === 'Ref') {
      const name = arg as string;
      return PSEUDO[name] ? PSEUDO[name](ctx) : identity(ctx, name).ref;
    }
    if (fn === 'Fn::GetAtt') {
      const [logicalId, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
      const attrs = identity(ctx, logicalId).attributes;
      if (!(attribute in attrs)) throw new UnresolvableError(`the local twin has no attribute ${attribute} for ${logicalId}`);
      return attrs[attribute];
    }
    if (fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return (resolveValue(parts, ctx) as unknown[]).map(String).join(separator);
    }
    if (fn === 'Fn::Sub') {
      const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name in vars) return String(resolveValue(vars[name], ctx));
        if (PSEUDO[name]) return PSEUDO[name](ctx);
        const [logicalId, attribute] = name.split('.');
        return attribute ? identity(ctx, logicalId).attributes[attribute] : identity(ctx, logicalId).ref;
      });
    }
    if (fn === 'Fn::Select') {
      const [index, list] = arg as [number, unknown];
      return (resolveValue(list, ctx) as unknown[])[Number(index)];
    }
    if (fn === 'Fn::Split') {
      const [separator, text] = arg as [string, unknown];
      return String(resolveValue(text, ctx)).split(separator);
    }
    if (fn.startsWith('Fn::') || fn === 'Condition') {
      throw new UnresolvableError(`the local twin does not support ${fn}`);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveValue(v, ctx)]));
}

export function resolveString(value: unknown, ctx: ResolveContext): string {
  const resolved = resolveValue(value, ctx);
  if (typeof resolved !== 'string' && typeof resolved !== 'number') {
    throw new UnresolvableError(`expected a string, got ${JSON.stringify(resolved)}`);
  }
  return String(resolved);
}
