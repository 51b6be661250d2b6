import { type DecoratorTarget, decorateMember } from './decorators.js';
import { DecoratorError } from './errors.js';
import type { AnyFunction } from './options.js';

/** Whether a call looks like a legacy (`experimentalDecorators`) member decorator: `(target, propertyKey, ...)`. */
export function isLegacyDecoratorCall(propertyKey: unknown): propertyKey is string | symbol {
  return typeof propertyKey === 'string' || typeof propertyKey === 'symbol';
}

/**
 * Applies a legacy (`experimentalDecorators`, Babel legacy) decorator: `owner` is the prototype, or the class for a
 * static member. Returns the descriptor to install, with the method or getter replaced and anything else (a setter
 * beside the getter, enumerability) kept.
 */
export function decorateLegacy(
  target: DecoratorTarget,
  owner: unknown,
  propertyKey: string | symbol,
  descriptor: unknown,
): PropertyDescriptor {
  const name = typeof propertyKey === 'symbol' ? `[${propertyKey.description ?? ''}]` : propertyKey;
  const isStatic = typeof owner === 'function';
  const ownerObject = (typeof owner === 'object' && owner !== null) || isStatic ? (owner as object) : undefined;
  const found = typeof descriptor === 'object' && descriptor !== null ? (descriptor as PropertyDescriptor) : undefined;
  const member = { key: propertyKey, isStatic, isPrivate: false, owner: ownerObject };
  if (found !== undefined && typeof found.value === 'function') {
    const { replacement, views } = decorateMember(target, { ...member, kind: 'method' }, found.value as AnyFunction);
    // A method becomes an accessor handing out per-instance views, which carry `invalidate` and `peek`.
    if (views !== undefined && ownerObject !== undefined && found.configurable !== false) {
      return views.descriptor(ownerObject, found.enumerable ?? false);
    }
    return { ...found, value: replacement };
  }
  if (found !== undefined && typeof found.get === 'function') {
    return {
      ...found,
      get: decorateMember(target, { ...member, kind: 'getter' }, found.get as AnyFunction).replacement,
    };
  }
  throw new DecoratorError(name, `@${target.kind} decorates methods and getters, not a property or setter (${name}).`);
}
