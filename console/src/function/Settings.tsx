/**
 * The function page's settings tabs: Configuration, and Versions & aliases. Reads the function
 * with its versions and aliases (GET /v1/functions/:name answers all three).
 */
import { useState } from 'react';
import type { FunctionDetail } from '../admin/types.ts';
import { useGet } from '../components/query.ts';
import { ErrorBox, Loading } from '../components/states.tsx';
import { Tabs } from '../components/Tabs.tsx';
import { Configuration } from './Configuration.tsx';
import { Versions } from './Versions.tsx';
import '../admin/admin.css';

const TABS = [
  { id: 'config', label: 'Configuration' },
  { id: 'versions', label: 'Versions & aliases' },
] as const;

export function FunctionSettings({ name }: { name: string }) {
  const [tab, setTab] = useState<(typeof TABS)[number]['id']>('config');
  const detail = useGet<FunctionDetail>(
    ['function-detail', name],
    `/v1/functions/${encodeURIComponent(name)}`,
  );
  return (
    <section aria-label="Settings">
      <Tabs tabs={TABS} current={tab} onChange={setTab} label="Function settings">
        {detail.isPending ? (
          <Loading what="the configuration" />
        ) : detail.isError ? (
          <ErrorBox error={detail.error} title="Could not load the configuration" />
        ) : tab === 'config' ? (
          <Configuration f={detail.data.function} />
        ) : (
          <Versions name={name} versions={detail.data.versions} aliases={detail.data.aliases} />
        )}
      </Tabs>
    </section>
  );
}
