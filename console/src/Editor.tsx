/** A CodeMirror 6 editor (JavaScript, JSON or Python highlighting; One Dark in the dark theme). */
import { javascript } from '@codemirror/lang-javascript';
import { json } from '@codemirror/lang-json';
import { python } from '@codemirror/lang-python';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { oneDark } from '@codemirror/theme-one-dark';
import { tags as t } from '@lezer/highlight';
import { basicSetup, EditorView } from 'codemirror';
import { useEffect, useRef } from 'react';

// Light colours with at least 4.5:1 contrast on white (CodeMirror's default style has a few below).
// @codemirror/language and @lezer/highlight come with codemirror (its own dependencies).
const lightHighlight = HighlightStyle.define([
  { tag: [t.keyword, t.modifier, t.operatorKeyword, t.controlKeyword], color: '#cf222e' },
  { tag: [t.string, t.special(t.string), t.regexp], color: '#0a3069' },
  { tag: [t.number, t.bool, t.null, t.atom], color: '#0550ae' },
  { tag: [t.comment, t.lineComment, t.blockComment], color: '#57606a', fontStyle: 'italic' },
  { tag: [t.function(t.variableName), t.definition(t.variableName)], color: '#6639ba' },
  { tag: [t.propertyName, t.definition(t.propertyName)], color: '#0550ae' },
  { tag: [t.typeName, t.className], color: '#953800' },
  { tag: t.invalid, color: '#a40e26' },
]);

export type EditorLanguage = 'javascript' | 'json' | 'python' | 'text';

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
        language === 'javascript'
          ? javascript()
          : language === 'json'
            ? json()
            : language === 'python'
              ? python()
              : [],
        dark ? oneDark : syntaxHighlighting(lightHighlight),
        EditorView.editable.of(!readOnly),
        // tabindex: axe asks a scrolling region to hold a focusable element (contenteditable is not
        // counted as one).
        EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0' }),
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
