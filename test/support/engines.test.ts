// GATEHOUSE_TEST_ENGINES narrows a local run to one engine; CI always runs both.
import { describe, expect, it } from 'vitest';
import { selectEngines } from './engines.js';

describe('test engine selection', () => {
  it('runs both engines by default', () => {
    expect(selectEngines({})).toEqual(['sqlite', 'postgres']);
    expect(selectEngines({ GATEHOUSE_TEST_ENGINES: ' ' })).toEqual(['sqlite', 'postgres']);
  });

  it('narrows a local run to the engines named', () => {
    expect(selectEngines({ GATEHOUSE_TEST_ENGINES: 'sqlite' })).toEqual(['sqlite']);
    expect(selectEngines({ GATEHOUSE_TEST_ENGINES: 'postgres, sqlite' })).toEqual(['sqlite', 'postgres']);
  });

  it('ignores the narrowing in CI', () => {
    expect(selectEngines({ GATEHOUSE_TEST_ENGINES: 'sqlite', CI: 'true' })).toEqual(['sqlite', 'postgres']);
  });

  it('refuses an engine it does not know rather than running none', () => {
    expect(() => selectEngines({ GATEHOUSE_TEST_ENGINES: 'mysql' })).toThrow(/mysql/);
  });
});
