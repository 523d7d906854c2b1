/** A CodeMirror 6 editor (JavaScript or JSON highlighting; One Dark in the dark theme). */
import { javascript } from '@codemirror/lang-javascript';
import { json } from '@codemirror/lang-json';
import { oneDark } from '@codemirror/theme-one-dark';
import { basicSetup, EditorView } from 'codemirror';
import { useEffect, useRef } from 'react';

export type EditorLanguage = 'javascript' | 'json' | 'text';

export interface EditorProps {
  readonly value: string;
  readonly onChange?: (v: string) => void;
  readonly language: EditorLanguage;
  /** The accessible name of the editing area. */
  readonly label: string;
  readonly dark: boolean;
  readonly readOnly?: boolean;
  readonly minHeight?: string;
}

export function Editor({ value, onChange, language, label, dark, readOnly, minHeight }: EditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;
  const initial = useRef(value);
  initial.current = view.current ? view.current.state.doc.toString() : value;

  // Re-created when the language or theme changes (keeping the text): both are rare.
  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      doc: initial.current,
      extensions: [
        basicSetup,
        language === 'javascript' ? javascript() : language === 'json' ? json() : [],
        dark ? oneDark : [],
        EditorView.editable.of(!readOnly),
        EditorView.contentAttributes.of({ 'aria-label': label }),
        EditorView.theme({
          '&': { minHeight: minHeight ?? '12rem' },
          '.cm-scroller': { minHeight: 'inherit' },
        }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) changed.current?.(u.state.doc.toString());
        }),
      ],
    });
    view.current = v;
    return () => {
      view.current = null;
      v.destroy();
    };
  }, [language, dark, readOnly, label, minHeight]);

  // A value set from outside (a saved event picked): replace the text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div className="editor" ref={host} />;
}
