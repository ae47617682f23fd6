import { describe, expect, it } from 'vitest';
import { CHECK_PROPERTIES, CHECK_STAGES, checksForStage, defaultSeverities, FOUR_PROPERTY_CHECKS } from './four-property-checks.js';

const PROPERTY_NUMBER = { authenticity: '1', integrity: '2', usability: '3', security: '4' } as const;

describe('four-property check catalogue', () => {
  it('has unique ids and unique codes per stage', () => {
    const ids = FOUR_PROPERTY_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const stage of CHECK_STAGES) {
      const codes = checksForStage(stage).map((c) => c.code.code);
      expect(new Set(codes).size, stage).toBe(codes.length);
    }
  });

  it('uses the id of the 移交与接收 code when the check applies there', () => {
    for (const c of FOUR_PROPERTY_CHECKS) if (c.codes.YJ) expect(c.id).toBe(c.codes.YJ.code);
  });

  it('covers every property at every stage', () => {
    for (const stage of CHECK_STAGES) {
      const covered = new Set(checksForStage(stage).map((c) => c.property));
      expect([...covered].sort(), stage).toEqual([...CHECK_PROPERTIES].sort());
    }
  });

  it('has an automated check for every property at 移交与接收', () => {
    const automated = new Set(checksForStage('YJ').filter((c) => c.stageAutomated).map((c) => c.property));
    expect(automated.size).toBe(CHECK_PROPERTIES.length);
  });

  it('numbers codes by stage and property, and marks only domain.md codes as confirmed', () => {
    // domain.md §2.4: of the YJ codes only these two are confirmed.
    const confirmedYj = checksForStage('YJ').filter((c) => c.code.confirmed).map((c) => c.code.code);
    expect(confirmedYj.sort()).toEqual(['YJ-1-6', 'YJ-1-8']);
    expect(checksForStage('CQ').every((c) => !c.code.confirmed)).toBe(true);
    // domain.md §10 lists these GD codes as unconfirmed or missing.
    const gd = checksForStage('GD').filter((c) => c.code.confirmed).map((c) => c.code.code);
    for (const unconfirmed of ['GD-1-9', 'GD-2-8', 'GD-3-4', 'GD-3-5', 'GD-3-6', 'GD-3-7', 'GD-4-4', 'GD-4-5', 'GD-4-6']) expect(gd).not.toContain(unconfirmed);
    for (const stage of CHECK_STAGES) {
      for (const c of checksForStage(stage)) {
        const pattern = c.code.confirmed
          ? new RegExp(`^${stage}-${PROPERTY_NUMBER[c.property]}-\\d+$`)
          : new RegExp(`^LT-${stage}-${PROPERTY_NUMBER[c.property]}-(\\d+(-\\d+)?|L\\d+)$`);
        expect(c.code.code, c.name.zh).toMatch(pattern);
      }
    }
  });

  it('states a severity and automation flag for every stage it applies to', () => {
    for (const c of FOUR_PROPERTY_CHECKS) {
      const stages = Object.keys(c.codes).sort();
      expect(Object.keys(c.severity).sort(), c.id).toEqual(stages);
      expect(Object.keys(c.automated).sort(), c.id).toEqual(stages);
      expect(c.name.zh && c.name.en && c.method.zh && c.method.en, c.id).toBeTruthy();
    }
  });

  it('gives defaults keyed by the stage code', () => {
    const yj = defaultSeverities('YJ');
    expect(yj['YJ-1-8']).toBe('blocking');
    expect(yj['LT-YJ-1-1-1']).toBe('blocking');
    expect(defaultSeverities('GD')['GD-1-6']).toBe('blocking');
  });
});
