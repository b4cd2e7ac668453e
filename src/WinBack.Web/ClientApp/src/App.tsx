import { useCallback, useEffect, useState } from 'react';
import { Banner, Frame, Page, Tabs } from '@shopify/polaris';
import { api, ApiError, type ReportContext } from './api';
import { readParams, writeParams } from './url';
import { SyncProgress } from './components/SyncProgress';
import { InactiveReport, tabOf, type ListKind } from './pages/InactiveReport';
import { RfmPage } from './pages/RfmPage';
import { SettingsPage } from './pages/SettingsPage';
import { DataRequestsBanner } from './components/DataRequestsSection';

const tabs = [
  { id: 'inactive', content: 'Inactive customers' },
  { id: 'at-risk', content: 'At risk' },
  { id: 'rfm', content: 'RFM overview' },
  { id: 'without-orders', content: 'Customers without orders' },
  { id: 'settings', content: 'Settings' },
];

export function App() {
  // A link to a saved view (in a scheduled report's email) names its list, not the tab.
  const [tab, setTab] = useState(() => {
    const params = readParams();
    const list = params.get('list') as ListKind | null;
    return params.get('tab') ?? (list && ['at-risk', 'all', 'without-orders'].includes(list) ? tabOf(list) : 'inactive');
  });
  const [context, setContext] = useState<ReportContext | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dataVersion, setDataVersion] = useState(0);
  const [firstImport, setFirstImport] = useState(false);
  // Bumped when Settings starts a sync: the progress banner starts watching again.
  const [syncStarts, setSyncStarts] = useState(0);

  const loadContext = useCallback(() => {
    api<ReportContext>('/api/reports/context')
      .then(setContext)
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : 'WinBack could not load your shop. Reload the page.'));
  }, []);
  useEffect(loadContext, [loadContext, dataVersion]);

  const onSyncFinished = useCallback(() => setDataVersion((v) => v + 1), []);

  const selectTab = (index: number) => {
    const id = tabs[index].id;
    setTab(id);
    // Each tab has its own parameters; moving to another tab starts it clean.
    writeParams(new URLSearchParams(id === 'inactive' ? {} : { tab: id }));
  };

  return (
    <Frame>
      <Page title="WinBack" subtitle={context ? `${context.shopName ?? context.shopDomain} · dates in ${context.timezone}` : undefined} fullWidth>
        <SyncProgress key={syncStarts} onFinished={onSyncFinished} onFirstImport={setFirstImport} />
        {error && (
          <Banner tone="critical" title="Something went wrong">
            <p>{error}</p>
          </Banner>
        )}
        {context && tab === 'inactive' && <DataRequestsBanner context={context} onOpen={() => selectTab(tabs.findIndex((t) => t.id === 'settings'))} />}
        <Tabs tabs={tabs} selected={Math.max(0, tabs.findIndex((t) => t.id === tab))} onSelect={selectTab} />
        {context && tab === 'inactive' && <InactiveReport key={dataVersion} context={context} importing={firstImport} />}
        {context && tab === 'at-risk' && <InactiveReport key={`at-risk-${dataVersion}`} context={context} list="at-risk" />}
        {context && tab === 'rfm' && <RfmPage key={dataVersion} context={context} />}
        {context && tab === 'without-orders' && <InactiveReport key={`without-orders-${dataVersion}`} context={context} list="without-orders" />}
        {context && tab === 'settings' && <SettingsPage context={context} onSaved={loadContext} onSyncStarted={() => setSyncStarts((n) => n + 1)} />}
      </Page>
    </Frame>
  );
}
