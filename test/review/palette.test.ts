import { CHANGE_STYLES, contrastRatio, GROUP_FILL, MUTED_TEXT, PAGE_BACKGROUND, TEXT } from '../../lib/review/palette';

describe('the colours of the report and the PR diagram', () => {
  test('contrastRatio follows WCAG 2: black on white is 21, a colour on itself is 1', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#777777')).toBe(1);
    // A known pair: #767676 on white is the lightest grey that passes AA (4.54).
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });

  test('a colour that is not #rrggbb is refused, naming it', () => {
    expect(() => contrastRatio('red', '#ffffff')).toThrow("'red' is not a colour #rrggbb");
  });

  test.each(Object.entries(CHANGE_STYLES))('%s: text at least 4.5:1 on its fill (WCAG AA)', (_key, style) => {
    expect(contrastRatio(style.text, style.fill)).toBeGreaterThanOrEqual(4.5);
  });

  test.each(Object.entries(CHANGE_STYLES))(
    '%s: outline at least 3:1 on the page (non-text contrast)',
    (_key, style) => {
      expect(contrastRatio(style.stroke, PAGE_BACKGROUND)).toBeGreaterThanOrEqual(3);
    },
  );

  test('text, muted text and group labels at least 4.5:1 on the page and on a group', () => {
    for (const background of [PAGE_BACKGROUND, GROUP_FILL]) {
      expect(contrastRatio(TEXT, background)).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(MUTED_TEXT, background)).toBeGreaterThanOrEqual(4.5);
    }
  });

  test('every change but unchanged carries a text tag, so colour is never the only cue', () => {
    const untagged = Object.entries(CHANGE_STYLES).filter(([key, style]) => key !== 'unchanged' && style.tag === '');
    expect(untagged).toEqual([]);
    expect(new Set(Object.values(CHANGE_STYLES).map((s) => s.legend)).size).toBe(Object.keys(CHANGE_STYLES).length);
  });
});
