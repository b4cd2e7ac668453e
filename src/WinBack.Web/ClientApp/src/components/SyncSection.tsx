import { useEffect, useState } from 'react';
import { Banner, BlockStack, Button, Card, InlineStack, Layout, Text } from '@shopify/polaris';
import { api, ApiError, formatDay, type ResourceProgress } from '../api';

/** "Your data": when the last full import finished, and a button to import everything again from Shopify. */
export function SyncSection({ timezone, onStarted }: { timezone: string; onStarted: () => void }) {
  const [resources, setResources] = useState<ResourceProgress[] | null>(null);
  const [starting, setStarting] = useState(false);
  const [message, setMessage] = useState<{ tone: 'success' | 'critical'; text: string } | null>(null);

  useEffect(() => {
    api<{ resources: ResourceProgress[] }>('/api/sync').then((p) => setResources(p.resources)).catch(() => setResources([]));
  }, []);

  const syncAgain = async () => {
    setStarting(true);
    try {
      await api('/api/sync', { method: 'POST' });
      setMessage({ tone: 'success', text: 'The import started again. Its progress is shown at the top of the page; the report fills in when it is done.' });
      onStarted();
    } catch (e) {
      setMessage({ tone: 'critical', text: e instanceof ApiError ? e.message : 'The import could not be started. Try again in a minute.' });
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
          {message && <Banner tone={message.tone} onDismiss={() => setMessage(null)}><p>{message.text}</p></Banner>}
          <Text as="p">{finished ? `Last full import finished ${formatDay(finished, timezone)}.` : 'The first import has not finished yet.'}</Text>
          <InlineStack align="end">
            <Button onClick={syncAgain} loading={starting}>Sync again</Button>
          </InlineStack>
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}
