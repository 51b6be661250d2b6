import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/redis/circuit-breaker.js';

function breaker(failureThreshold = 3, cooldown = 1000) {
  let now = 0;
  const events: string[] = [];
  const circuit = new CircuitBreaker({
    failureThreshold,
    cooldown,
    clock: () => now,
    onOpen: () => events.push('open'),
    onClose: () => events.push('close'),
  });
  return {
    circuit,
    events,
    advance: (milliseconds: number) => {
      now += milliseconds;
    },
  };
}

describe('CircuitBreaker', () => {
  it('opens after failureThreshold consecutive failures and then refuses at once', () => {
    const { circuit, events } = breaker(3);
    circuit.recordFailure();
    circuit.recordFailure();
    expect(circuit.tryPass()).toBe(true);
    circuit.recordFailure();
    expect(circuit.state).toBe('open');
    expect(circuit.tryPass()).toBe(false);
    expect(events).toEqual(['open']);
  });

  it('counts only consecutive failures: a success in between starts over', () => {
    const { circuit } = breaker(2);
    circuit.recordFailure();
    circuit.recordSuccess();
    circuit.recordFailure();
    expect(circuit.state).toBe('closed');
  });

  it('lets exactly one probe through after the cooldown; its success closes the circuit', () => {
    const { circuit, events, advance } = breaker(1, 1000);
    circuit.recordFailure();
    advance(999);
    expect(circuit.tryPass()).toBe(false);
    advance(1);
    expect(circuit.state).toBe('half-open');
    expect(circuit.tryPass()).toBe(true);
    expect(circuit.tryPass()).toBe(false);
    circuit.recordSuccess();
    expect(circuit.state).toBe('closed');
    expect(circuit.tryPass()).toBe(true);
    expect(events).toEqual(['open', 'close']);
  });

  it('reopens for a whole cooldown when the probe fails', () => {
    const { circuit, events, advance } = breaker(1, 1000);
    circuit.recordFailure();
    advance(1000);
    expect(circuit.tryPass()).toBe(true);
    circuit.recordFailure();
    expect(circuit.state).toBe('open');
    advance(999);
    expect(circuit.tryPass()).toBe(false);
    advance(1);
    expect(circuit.tryPass()).toBe(true);
    expect(events).toEqual(['open']);
  });

  it('closes on a late success: any answer proves the server is up', () => {
    const { circuit, events } = breaker(1);
    circuit.recordFailure();
    circuit.recordSuccess();
    expect(circuit.state).toBe('closed');
    expect(events).toEqual(['open', 'close']);
  });
});
