import { useEffect, useState } from 'react';
import { BlockStack, Button, Card, InlineStack, Layout, Text } from '@shopify/polaris';
import { api, formatDay, type ResourceProgress } from '../api';
import { useSectionMessage } from './useSectionMessage';

/** "Your data": when the last full import finished, and a button to import everything again from Shopify. */
export function SyncSection({ timezone, onStarted }: { timezone: string; onStarted: () => void }) {
  const [resources, setResources] = useState<ResourceProgress[] | null>(null);
  const [starting, setStarting] = useState(false);
  const { succeed, fail, banner } = useSectionMessage();

  useEffect(() => {
    api<{ resources: ResourceProgress[] }>('/api/sync').then((p) => setResources(p.resources)).catch(() => setResources([]));
  }, []);

  const syncAgain = async () => {
    setStarting(true);
    try {
      await api('/api/sync', { method: 'POST' });
      succeed('The import started again. Its progress is shown at the top of the page; the report fills in when it is done.');
      onStarted();
    } catch (e) {
      fail(e, 'The import could not be started. Try again in a minute.');
    } finally {
      setStarting(false);
    }
  };

  const finished = resources?.map((r) => r.finishedAt).filter((f): f is string => f !== null).sort().at(-1);
  return (
    <Layout.AnnotatedSection title="Your data"
      description="WinBack keeps your customers and orders current through Shopify's webhooks. Import everything again after changing WinBack's permissions, or if figures look wrong.">
      <Card>
        <BlockStack gap="300">
          {banner}
          <Text as="p">{finished ? `Last full import finished ${formatDay(finished, timezone)}.` : 'The first import has not finished yet.'}</Text>
          <InlineStack align="end">
            <Button onClick={syncAgain} loading={starting}>Sync again</Button>
          </InlineStack>
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}
