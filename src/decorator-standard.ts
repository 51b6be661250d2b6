import { type DecoratorTarget, decorateMember, installViews } from './decorators.js';
import { DecoratorError } from './errors.js';
import type { AnyFunction } from './options.js';

/** The part of a TC39 decorator context that tells the decorators apart (TypeScript 5 `DecoratorContext`). */
export interface StandardDecoratorContext {
  readonly kind: string;
  readonly name: string | symbol | undefined;
  readonly static?: boolean;
  readonly private?: boolean;
  readonly addInitializer?: (initializer: (this: unknown) => void) => void;
}

/** Whether a second call argument is a standard decorator's context (wrap options never have a `kind`). */
export function isStandardDecoratorContext(value: unknown): value is StandardDecoratorContext {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

/**
 * Applies a standard (TC39, TypeScript 5 default) decorator to a method or getter: returns its replacement, which
 * the runtime installs on the prototype, the class or (for a `#private` member) the instance's private slot.
 */
export function decorateStandard(target: DecoratorTarget, value: unknown, context: StandardDecoratorContext): unknown {
  const key = context.name ?? '<anonymous>';
  if ((context.kind !== 'method' && context.kind !== 'getter') || typeof value !== 'function') {
    const label = typeof key === 'symbol' ? `[${key.description ?? ''}]` : key;
    throw new DecoratorError(
      label,
      `@${target.kind} decorates methods and getters, not ${context.kind === 'accessor' ? 'an' : 'a'} ${context.kind} (${label}).`,
    );
  }
  const { replacement, views, claimNamespace } = decorateMember(
    target,
    {
      key,
      kind: context.kind,
      isStatic: context.static === true,
      isPrivate: context.private === true,
      owner: undefined,
    },
    value as AnyFunction,
  );
  if (typeof context.addInitializer === 'function') {
    // Runs at the first construction (for a static member, at class definition, with the class): the runtime has
    // installed the replacement as a data property; it becomes the accessor that hands out per-instance views (see
    // method-views.ts), and the member's persisted name is claimed, so a clash is refused before any call.
    let initialized = false;
    context.addInitializer(function initializeMember(this: unknown) {
      if (initialized || this === null || (typeof this !== 'object' && typeof this !== 'function')) return;
      initialized = true;
      if (views !== undefined) installViews(this, key, replacement, views);
      claimNamespace(this);
    });
  }
  return replacement;
}
