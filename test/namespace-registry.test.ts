import { describe, expect, it } from 'vitest';
import { NamespaceError } from '../src/errors.js';
import type { Namespace } from '../src/memory-tier.js';
import { claimPersistedName, explicitClaimant, resolveNamespace } from '../src/namespace-registry.js';

// The registry is process-wide: each test claims in a collection of its own.
let collections = 0;
const ownCollection = () => `registry-${++collections}`;
const member = (fn: Function, description: string, keyed = false) => ({ fn, description, keyed });

describe('claimPersistedName', () => {
  it('gives a name to its first function, again to the same function, and refuses another, naming both', () => {
    const collection = ownCollection();
    const first = () => 1;
    const second = () => 2;
    expect(claimPersistedName(collection, 'Parser.parse', member(first, 'static method Parser.parse'))).toBeUndefined();
    expect(claimPersistedName(collection, 'Parser.parse', member(first, 'static method Parser.parse'))).toBeUndefined();
    expect(claimPersistedName(collection, 'Parser.parse', member(second, 'function parse'))).toBe(
      `the persisted namespace "Parser.parse" is already used by static method Parser.parse in collection "${collection}"; give one of them a unique \`name\` option`,
    );
  });

  it('says "another" and why when both sides read alike', () => {
    const collection = ownCollection();
    claimPersistedName(
      collection,
      'Util.f',
      member(() => 1, 'static method Util.f'),
    );
    expect(
      claimPersistedName(
        collection,
        'Util.f',
        member(() => 2, 'static method Util.f'),
      ),
    ).toMatch(/used by another static method Util\.f .*\(a different class or function with the same name\)/);
  });

  it('shares an explicit name between every claimant of it, but not with a function', () => {
    const collection = ownCollection();
    expect(claimPersistedName(collection, 'fetch', explicitClaimant('fetch'))).toBeUndefined();
    expect(claimPersistedName(collection, 'fetch', explicitClaimant('fetch'))).toBeUndefined();
    expect(
      claimPersistedName(
        collection,
        'fetch',
        member(() => 1, 'function fetch'),
      ),
    ).toMatch(/already used by the `name` option "fetch"/);
    const other = ownCollection();
    claimPersistedName(
      other,
      'fetch',
      member(() => 1, 'function fetch'),
    );
    expect(claimPersistedName(other, 'fetch', explicitClaimant('fetch'))).toMatch(/already used by function fetch/);
  });

  it('keeps collections apart', () => {
    claimPersistedName(
      ownCollection(),
      'shared',
      member(() => 1, 'function shared'),
    );
    expect(
      claimPersistedName(
        ownCollection(),
        'shared',
        member(() => 2, 'function shared'),
      ),
    ).toBeUndefined();
  });

  it('reserves `base#<key>` for the claimant of a keyed base, whichever is claimed first', () => {
    const collection = ownCollection();
    const find = () => 1;
    const keyedFind = member(find, 'method Repo.prototype.find', true);
    expect(claimPersistedName(collection, 'Repo.prototype.find', keyedFind)).toBeUndefined();
    expect(claimPersistedName(collection, 'Repo.prototype.find#a', explicitClaimant('Repo.prototype.find#a'))).toMatch(
      /"Repo\.prototype\.find#a" \(an `instanceKey` name of "Repo\.prototype\.find"\) is already used by method/,
    );
    expect(claimPersistedName(collection, 'Repo.prototype.find#a', member(find, 'method'))).toBeUndefined();

    const later = ownCollection();
    claimPersistedName(later, 'Repo.prototype.find#a', explicitClaimant('Repo.prototype.find#a'));
    expect(claimPersistedName(later, 'Repo.prototype.find', member(find, 'method Repo.prototype.find', true))).toMatch(
      /"Repo\.prototype\.find#a" \(an `instanceKey` name of "Repo\.prototype\.find"\) is already used by the `name`/,
    );
  });

  it('adds the claimant hint to a conflict', () => {
    const collection = ownCollection();
    claimPersistedName(
      collection,
      'Keys.[id]',
      member(() => 1, 'static method Keys.[id]'),
    );
    const hint = 'symbol keys with the same description cannot be told apart in another process';
    expect(
      claimPersistedName(collection, 'Keys.[id]', { fn: () => 2, description: 'static method Keys.[id]', hint }),
    ).toContain(`(${hint})`);
  });
});

describe('resolveNamespace', () => {
  const namespaces = () => ({ byName: new Map<string, Namespace>(), byFunction: new WeakMap<Function, Namespace>() });

  it('throws a NamespaceError naming both functions when strict, and marks the namespace otherwise', () => {
    const collection = ownCollection();
    claimPersistedName(
      collection,
      'parse',
      member(() => 1, 'static method Parser.parse'),
    );
    const parse = function parse() {};
    expect(() => resolveNamespace(namespaces(), collection, parse, undefined, true)).toThrow(
      expect.objectContaining({
        name: 'NamespaceError',
        namespace: 'parse',
        message: expect.stringMatching(/Cannot persist parse: .* already used by static method Parser\.parse/),
      }),
    );
    const namespace = resolveNamespace(namespaces(), collection, parse, undefined, false);
    expect(namespace.persistName).toBe('parse');
    expect(namespace.conflict).toMatch(/already used by static method Parser\.parse/);
    expect(() => resolveNamespace(namespaces(), collection, parse, undefined, true)).toThrow(NamespaceError);
  });
});
