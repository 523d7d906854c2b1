/** Light and dark themes: the system's (prefers-color-scheme) unless the user picked one. */
import { createContext, useEffect, useState } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'nimbus.theme';

function systemDark(): boolean {
  return window.matchMedia('(prefers-color-scheme: dark)').matches;
}

export function useTheme(): { choice: ThemeChoice; dark: boolean; cycle(): void } {
  const [choice, setChoice] = useState<ThemeChoice>(() => {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  });
  const [sysDark, setSysDark] = useState(systemDark);
  useEffect(() => {
    const m = window.matchMedia('(prefers-color-scheme: dark)');
    const on = () => setSysDark(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  useEffect(() => {
    if (choice === 'system') {
      localStorage.removeItem(KEY);
      delete document.documentElement.dataset.theme;
    } else {
      localStorage.setItem(KEY, choice);
      document.documentElement.dataset.theme = choice;
    }
  }, [choice]);
  return {
    choice,
    dark: choice === 'dark' || (choice === 'system' && sysDark),
    cycle: () => setChoice((c) => (c === 'system' ? 'light' : c === 'light' ? 'dark' : 'system')),
  };
}

/** Whether the page is dark now (charts read it to pick their colours). */
export function isDark(): boolean {
  const t = document.documentElement.dataset.theme;
  return t === 'dark' || (t !== 'light' && systemDark());
}

/** Whether the console shows dark now (the layout provides it; editors and charts read it). */
export const DarkContext = createContext(false);
