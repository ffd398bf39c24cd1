import { describe, expect, it } from 'vitest';
import { closestMatches } from '../../src/domain/suggestions.js';

describe('did-you-mean suggestions', () => {
  const codes = ['ACME', 'ACME-WEB', 'GLOBEX', 'HOURLY', 'INITECH', 'OWN'];

  it('suggests the codes a typo or two away, closest first', () => {
    expect(closestMatches('ACME-WBE', codes)).toEqual(['ACME-WEB']);
    expect(closestMatches('globx', codes)).toEqual(['GLOBEX']);
    expect(closestMatches('INITEC', codes)).toEqual(['INITECH']);
  });

  it('ranks codes containing the input first', () => {
    expect(closestMatches('ACM', codes)).toEqual(['ACME', 'ACME-WEB']);
  });

  it('suggests nothing for a code far from every candidate', () => {
    expect(closestMatches('NOPE', codes)).toEqual([]);
    expect(closestMatches('MARKETING', codes)).toEqual([]);
  });
});
