import type { ITheme } from '@xterm/xterm';

export const LIGHT_THEME: ITheme = {
  background: '#fbfbfd',
  foreground: '#1d1f24',
  cursor: '#fbfbfd',
  selectionBackground: '#b6d4fe',
  black: '#1d1f24',
  brightBlack: '#6b7280',
  green: '#1a7f37',
  brightGreen: '#2da44e',
  red: '#cf222e',
  yellow: '#9a6700',
  blue: '#0969da',
  magenta: '#8250df',
  cyan: '#1b7c83',
  white: '#6e7781',
};

export const DARK_THEME: ITheme = {
  background: '#14161a',
  foreground: '#e6e8eb',
  cursor: '#14161a',
  selectionBackground: '#264f78',
  black: '#14161a',
  brightBlack: '#8b949e',
  green: '#3fb950',
  brightGreen: '#56d364',
  red: '#f85149',
  yellow: '#d29922',
  blue: '#58a6ff',
  magenta: '#bc8cff',
  cyan: '#39c5cf',
  white: '#b1bac4',
};

export function prefersDark(): boolean {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}
