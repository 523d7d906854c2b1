/**
 * The function page's settings tabs: Configuration, and Versions & aliases, from the function
 * with its versions and aliases (GET /v1/functions/{name} answers all three; the page reads it).
 */
import { useState } from 'react';
import type { Schema } from '../api/client.ts';
import { Tabs } from '../components/Tabs.tsx';
import { Configuration } from './Configuration.tsx';
import { Versions } from './Versions.tsx';
import '../admin/admin.css';

const TABS = [
  { id: 'config', label: 'Configuration' },
  { id: 'versions', label: 'Versions & aliases' },
] as const;

export function FunctionSettings({ detail }: { detail: Schema<'FunctionDetail'> }) {
  const [tab, setTab] = useState<(typeof TABS)[number]['id']>('config');
  return (
    <section aria-label="Settings">
      <Tabs tabs={TABS} current={tab} onChange={setTab} label="Function settings">
        {tab === 'config' ? (
          <Configuration f={detail.function} />
        ) : (
          <Versions name={detail.function.name} versions={detail.versions} aliases={detail.aliases} />
        )}
      </Tabs>
    </section>
  );
}
