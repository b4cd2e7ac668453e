import { useEffect, useState } from 'react';
import { Banner, BlockStack, Card, Checkbox, Layout, List, SkeletonBodyText, Text } from '@shopify/polaris';
import { api, formatDateTime, formatNumber, type ShopifyTagsStatus } from '../api';
import { useSectionMessage } from './useSectionMessage';

/** Status in Shopify itself: one WinBack tag per inactive customer, for Shopify segments, Flow and Shopify Email. */
export function ShopifyTagsSection({ timezone }: { timezone: string }) {
  const [status, setStatus] = useState<ShopifyTagsStatus | null>(null);
  const [busy, setBusy] = useState(false);
  const { setMessage, fail, banner } = useSectionMessage();

  useEffect(() => {
    api<ShopifyTagsStatus>('/api/shopify-tags').then(setStatus).catch(fail);
  }, []);

  if (!status) return <Layout.AnnotatedSection title="Tags in Shopify"><Card><SkeletonBodyText lines={3} /></Card></Layout.AnnotatedSection>;

  const toggle = async (enabled: boolean) => {
    setBusy(true);
    try {
      if (enabled && !status.accessGranted) {
        // Shopify asks the merchant, in its own dialog, to let WinBack edit customers (an optional scope).
        const answer = await shopify.scopes.request([status.scope]);
        if (answer.result !== 'granted-all') {
          setMessage({ tone: 'warning', text: 'WinBack needs permission to edit customers to tag them. Nothing was changed.' });
          return;
        }
      }
      const saved = await api<ShopifyTagsStatus>('/api/shopify-tags', { method: 'PUT', body: JSON.stringify({ enabled }) });
      setStatus(saved);
      setMessage({
        tone: 'success',
        text: enabled ? 'WinBack is tagging your inactive customers in Shopify now, and keeps the tags current every night.' : 'WinBack is removing its tags from your customers.',
      });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const lastRun = status.lastRunAt
    ? formatDateTime(status.lastRunAt, timezone)
    : null;
  return (
    <Layout.AnnotatedSection title="Tags in Shopify"
      description="Off by default. WinBack gives each inactive customer one tag in Shopify, so Shopify segments, Flow and Shopify Email can act on it. Tags change as customers move, and go when you turn this off.">
      <Card>
        <BlockStack gap="300">
          {banner}
          {status.lastError && <Banner tone="critical" title="The last run did not finish"><p>{status.lastError}</p></Banner>}
          <Checkbox label="Tag inactive customers in Shopify" checked={status.enabled} disabled={busy} onChange={toggle}
            helpText={status.accessGranted ? undefined : 'Shopify will ask you to let WinBack edit customers.'} />
          <List>
            {status.tags.map((t) => <List.Item key={t.tag}><Text as="span" fontWeight="semibold">{t.tag}</Text>{` · ${t.segment}`}</List.Item>)}
          </List>
          {(status.enabled || status.taggedCustomers > 0) && (
            <Text as="p" tone="subdued">
              {`${formatNumber(status.taggedCustomers)} customers tagged${lastRun ? `, last run ${lastRun}` : ''}.`}
            </Text>
          )}
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}
