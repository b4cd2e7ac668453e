import { useEffect, useRef, useState } from 'react';
import { Banner, BlockStack, ProgressBar, Text } from '@shopify/polaris';
import { api, formatNumber, type ResourceProgress } from '../api';

const names: Record<string, string> = { Customers: 'customers', Orders: 'orders' };

/**
 * The sync's progress while it runs; when it finishes, the report reloads with the data. <code>onFirstImport</code> hears
 * whether the shop's very first import is under way (nothing imported yet), so figures show placeholders, not zeros.
 */
export function SyncProgress({ onFinished, onFirstImport }: { onFinished: () => void; onFirstImport?: (importing: boolean) => void }) {
  const [resources, setResources] = useState<ResourceProgress[] | null>(null);
  const [restarting, setRestarting] = useState(false);
  const [pollAgain, setPollAgain] = useState(0);
  const wasRunning = useRef(false);

  useEffect(() => {
    let timer: number | undefined;
    let stopped = false;
    const poll = async () => {
      try {
        const progress = await api<{ resources: ResourceProgress[] }>('/api/sync');
        if (stopped) return;
        setResources(progress.resources);
        // No state yet: installing queued the first import, which has not started.
        const notStarted = progress.resources.length === 0;
        const running = notStarted || progress.resources.some((r) => r.status === 'Running' || r.status === 'Queued');
        onFirstImport?.(running && progress.resources.every((r) => r.finishedAt === null));
        if (running) {
          wasRunning.current = true;
          timer = window.setTimeout(poll, 1500);
        } else if (wasRunning.current) {
          wasRunning.current = false;
          onFinished();
        }
      } catch {
        if (!stopped) timer = window.setTimeout(poll, 5000);
      }
    };
    poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [onFinished, onFirstImport, pollAgain]);

  const startAgain = async () => {
    setRestarting(true);
    try {
      await api('/api/sync', { method: 'POST' });
      setResources((current) => current?.map((r) => ({ ...r, status: 'Queued', error: null })) ?? null);
      setPollAgain((n) => n + 1);
    } finally {
      setRestarting(false);
    }
  };

  if (!resources) return null;
  const failed = resources.filter((r) => r.status === 'Failed');
  if (failed.length > 0)
    return (
      <Banner tone="critical" title="Importing your data stopped" action={{ content: 'Start the import again', onAction: startAgain, loading: restarting }}>
        {[...new Set(failed.map((r) => r.error ?? `The import of your ${names[r.resource] ?? r.resource} failed.`))].map((message) => (
          <p key={message}>{message}</p>
        ))}
        <p>The same button is in Settings, under "Your data": Sync again.</p>
      </Banner>
    );
  const running = resources.filter((r) => r.status === 'Running' || r.status === 'Queued');
  if (resources.length === 0)
    return (
      <Banner tone="info" title="WinBack is about to import your customers and orders">
        <p>The import starts in a moment; the report fills in as soon as it is done.</p>
      </Banner>
    );
  if (running.length === 0) return null;
  return (
    <Banner tone="info" title="WinBack is importing your customers and orders">
      <BlockStack gap="300">
        {running.map((r) => {
          const percent = r.objectsExpected ? Math.min(100, (100 * r.objectsDone) / r.objectsExpected) : 0;
          return (
            <BlockStack gap="100" key={r.resource}>
              <Text as="p">
                {r.status === 'Queued'
                  ? `Waiting to import your ${names[r.resource] ?? r.resource}…`
                  : `${formatNumber(r.objectsDone)}${r.objectsExpected ? ` of ${formatNumber(r.objectsExpected)}` : ''} ${names[r.resource] ?? r.resource}` +
                    (r.objectsPerSecond ? ` · ${formatNumber(Math.round(r.objectsPerSecond))} a second` : '')}
              </Text>
              <ProgressBar progress={percent} size="small" />
            </BlockStack>
          );
        })}
        <Text as="p" tone="subdued">The report fills in as soon as the import is done. You can leave this page; to import everything again later, use "Sync again" in Settings.</Text>
      </BlockStack>
    </Banner>
  );
}
