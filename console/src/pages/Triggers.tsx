/** Triggers: HTTP routes, schedules, topics with subscriptions and a pattern tester, sources, bucket events. */
import { useSearchParams } from 'react-router';
import { PageHeader } from '../components/states.tsx';
import { Tabs } from '../components/Tabs.tsx';
import { RoutesTab } from '../triggers/RoutesTab.tsx';
import { SchedulesTab } from '../triggers/SchedulesTab.tsx';
import { BucketEventsTab, SourcesTab } from '../triggers/SourcesTab.tsx';
import { TopicsTab } from '../triggers/TopicsTab.tsx';
import '../triggers/triggers.css';

const TABS = [
  { id: 'routes', label: 'HTTP routes' },
  { id: 'schedules', label: 'Schedules' },
  { id: 'topics', label: 'Topics' },
  { id: 'sources', label: 'Broker sources' },
  { id: 'buckets', label: 'Bucket events' },
] as const;
type TabId = (typeof TABS)[number]['id'];

const PANELS = {
  routes: RoutesTab,
  schedules: SchedulesTab,
  topics: TopicsTab,
  sources: SourcesTab,
  buckets: BucketEventsTab,
} satisfies Record<TabId, () => unknown>;

export default function Triggers() {
  // The tab is in the address (?tab=topics): a reload or a shared link opens the same one.
  const [params, setParams] = useSearchParams();
  const asked = params.get('tab');
  const tab: TabId = TABS.some((t) => t.id === asked) ? (asked as TabId) : 'routes';
  const Panel = PANELS[tab];
  return (
    <>
      <PageHeader title="Triggers" />
      <Tabs
        tabs={TABS}
        current={tab}
        label="Trigger kinds"
        onChange={(id) => setParams({ tab: id }, { replace: true })}
      >
        <Panel />
      </Tabs>
    </>
  );
}
