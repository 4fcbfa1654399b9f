import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('reads the global privacy budget, 10 by default, and refuses one that is not positive', () => {
    expect(loadConfig({}).globalPrivacyBudget).toBe(10);
    expect(loadConfig({ DTKS_GLOBAL_PRIVACY_BUDGET: '2.5' }).globalPrivacyBudget).toBe(2.5);
    for (const bad of ['0', '-1', 'lots']) {
      expect(() => loadConfig({ DTKS_GLOBAL_PRIVACY_BUDGET: bad })).toThrow(
        /DTKS_GLOBAL_PRIVACY_BUDGET/,
      );
    }
  });
});
