import type { ChangeAction } from './model';

/** What a drawn resource's style says: a change, `ghost` (only the base has it: destroyed), or `unchanged`. */
export type ChangeStyleKey = ChangeAction | 'ghost' | 'unchanged';

/** How one kind of change is drawn: fill, outline, text colour, and a text tag so colour is never the only cue. */
export interface ChangeStyle {
  /** Background of the node. */
  readonly fill: string;
  /** Outline (non-text contrast: at least 3:1 against the page). */
  readonly stroke: string;
  /** Text colour (at least 4.5:1 against `fill`). */
  readonly text: string;
  /** The tag written before the label: `+ created`. Empty for unchanged. */
  readonly tag: string;
  /** The word for the legend. */
  readonly legend: string;
  /** Dashed outline (ghosts, may-replace). */
  readonly dashed: boolean;
}

/** The page background every colour is judged against. */
export const PAGE_BACKGROUND = '#ffffff';

/** The main text colour. */
export const TEXT = '#1f2328';

/** Secondary text (captions, ghosts). */
export const MUTED_TEXT = '#59636e';

/** The fill of a group's box in a diagram. */
export const GROUP_FILL = '#f6f8fa';

/** One style per change, GitHub's palette (text at least 4.5:1 and outlines at least 3:1, checked in a test). */
export const CHANGE_STYLES: Readonly<Record<ChangeStyleKey, ChangeStyle>> = {
  unchanged: { fill: '#ffffff', stroke: '#8c959f', text: TEXT, tag: '', legend: 'unchanged', dashed: false },
  create: { fill: '#dafbe1', stroke: '#1a7f37', text: TEXT, tag: '+', legend: 'created', dashed: false },
  update: { fill: '#ddf4ff', stroke: '#0969da', text: TEXT, tag: '~', legend: 'updated', dashed: false },
  replace: { fill: '#fff1e5', stroke: '#bc4c00', text: TEXT, tag: '±', legend: 'replaced', dashed: false },
  'may-replace': {
    fill: '#fff1e5',
    stroke: '#bc4c00',
    text: TEXT,
    tag: '±?',
    legend: 'may be replaced',
    dashed: true,
  },
  orphan: {
    fill: '#fff8c5',
    stroke: '#9a6700',
    text: TEXT,
    tag: '⊘',
    legend: 'orphaned (kept in the cloud)',
    dashed: false,
  },
  destroy: { fill: '#ffffff', stroke: '#cf222e', text: MUTED_TEXT, tag: '−', legend: 'destroyed', dashed: true },
  ghost: {
    fill: '#ffffff',
    stroke: '#cf222e',
    text: MUTED_TEXT,
    tag: '−',
    legend: 'destroyed (drawn from the base)',
    dashed: true,
  },
};

/** The relative luminance of an sRGB colour `#rrggbb` (WCAG 2). */
export function relativeLuminance(hex: string): number {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) throw new Error(`relativeLuminance: '${hex}' is not a colour #rrggbb`);
  const linear = (part: string | undefined): number => {
    const channel = parseInt(part ?? '0', 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(match[1]) + 0.7152 * linear(match[2]) + 0.0722 * linear(match[3]);
}

/** The WCAG 2 contrast ratio of two colours `#rrggbb`, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [x, y] = [relativeLuminance(a), relativeLuminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}
