import { useEffect, useState } from 'react';
import { Banner, BlockStack, Button, Card, ChoiceList, FormLayout, InlineStack, Layout, SkeletonBodyText, Text, TextField } from '@shopify/polaris';
import { DigestSettingsSection } from '../components/DigestSettingsSection';
import { ScheduledReportsSection } from '../components/ScheduledReportsSection';
import { SheetsSection } from '../components/SheetsSection';
import { DataRetentionSection } from '../components/DataRetentionSection';
import { ShopifyTagsSection } from '../components/ShopifyTagsSection';
import { ControlGroupSection } from '../components/ControlGroupSection';
import { DataRequestsSection } from '../components/DataRequestsSection';
import { SyncSection } from '../components/SyncSection';
import { api, ApiError, formatMoney, formatNumber, type ReportContext, type Settings, type SettingsPage as SettingsData, type SettingsPreview } from '../api';

/** Threshold and high-value line, with what each choice yields before it is saved, and the shop's own suggested threshold. */
export function SettingsPage({ context, onSaved, onSyncStarted }: { context: ReportContext; onSaved: () => void; onSyncStarted: () => void }) {
  const [data, setData] = useState<SettingsData | null>(null);
  const [draft, setDraft] = useState<Settings | null>(null);
  const [preview, setPreview] = useState<SettingsPreview | null>(null);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<{ tone: 'success' | 'critical'; text: string } | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    api<SettingsData>('/api/settings').then((d) => { setData(d); setDraft(d.settings); }).catch((e: ApiError) => setMessage({ tone: 'critical', text: e.message }));
  }, []);

  useEffect(() => {
    if (!draft) return;
    const timer = window.setTimeout(() => {
      api<SettingsPreview>('/api/settings/preview', { method: 'POST', body: JSON.stringify(draft) })
        .then((p) => { setPreview(p); setErrors({}); })
        .catch((e: ApiError) => { setPreview(null); setErrors(e.errors); });
    }, 250);
    return () => window.clearTimeout(timer);
  }, [draft]);

  if (!data || !draft) return <Card><SkeletonBodyText lines={6} /></Card>;
  const money = (n: number) => formatMoney(n, data.currencyCode);
  const change = (changes: Partial<Settings>) => setDraft({ ...draft, ...changes });
  const fieldError = (key: string) => errors[key]?.[0];
  const dirty = JSON.stringify(draft) !== JSON.stringify(data.settings);

  const save = async () => {
    setSaving(true);
    try {
      const saved = await api<Settings>('/api/settings', { method: 'PUT', body: JSON.stringify(draft) });
      setData({ ...data, settings: saved });
      setDraft(saved);
      setMessage({ tone: 'success', text: 'Settings saved. The report, digest and Google Sheet use them from now on.' });
      onSaved();
    } catch (e) {
      const error = e as ApiError;
      setErrors(error.errors);
      setMessage({ tone: 'critical', text: error.message });
    } finally {
      setSaving(false);
    }
  };

  const suggestion = data.suggestion;
  return (
    <Layout>
      <Layout.AnnotatedSection title="When is a customer inactive?"
        description="Customers who bought before but not in this many whole weeks (in your shop's timezone) are listed as inactive.">
        <Card>
          <BlockStack gap="400">
            {message && <Banner tone={message.tone} onDismiss={() => setMessage(null)}><p>{message.text}</p></Banner>}
            {suggestion.suggestedThresholdWeeks ? (
              <Banner tone="info" title={`Suggested for your shop: ${suggestion.suggestedThresholdWeeks} weeks`}
                action={draft.inactivityThresholdWeeks === suggestion.suggestedThresholdWeeks ? undefined
                  : { content: `Use ${suggestion.suggestedThresholdWeeks} weeks`, onAction: () => change({ inactivityThresholdWeeks: suggestion.suggestedThresholdWeeks! }) }}>
                <p>{suggestion.explanation}</p>
              </Banner>
            ) : (
              <Text as="p" tone="subdued">{suggestion.explanation}</Text>
            )}
            <FormLayout>
              <TextField label="Inactivity threshold" type="number" suffix="weeks" autoComplete="off" min={1} max={104}
                value={String(draft.inactivityThresholdWeeks)} error={fieldError('inactivityThresholdWeeks')}
                onChange={(v) => change({ inactivityThresholdWeeks: Number(v) })} />
              <ChoiceList title="High-value customers" selected={[draft.highValueRule]}
                choices={[
                  { label: 'The top spenders, by percentile', value: 'percentile' },
                  { label: 'Everyone who spent at least an amount', value: 'amount' },
                ]}
                onChange={([rule]) => change({ highValueRule: rule as Settings['highValueRule'], highValueAmount: rule === 'amount' ? draft.highValueAmount ?? Math.round(context.highValueLine) : null })} />
              {draft.highValueRule === 'percentile' ? (
                <TextField label="Percentile of total spent" type="number" autoComplete="off" min={1} max={99} value={String(draft.highValuePercentile)}
                  helpText={`${draft.highValuePercentile}th percentile: the top ${100 - draft.highValuePercentile} % of customers with orders.`}
                  error={fieldError('highValuePercentile')} onChange={(v) => change({ highValuePercentile: Number(v) })} />
              ) : (
                <TextField label="Amount" type="number" prefix={data.currencyCode} autoComplete="off" value={draft.highValueAmount?.toString() ?? ''}
                  error={fieldError('highValueAmount')} onChange={(v) => change({ highValueAmount: v === '' ? null : Number(v) })} />
              )}
            </FormLayout>
            <Card background="bg-surface-secondary">
              {preview ? (
                <BlockStack gap="100">
                  <Text as="h3" variant="headingSm">With these settings</Text>
                  <div data-testid="settings-preview">
                    <Text as="p">
                      {`${formatNumber(preview.inactiveCustomers)} of ${formatNumber(preview.customersWithOrders)} customers with orders are inactive; ` +
                        `${formatNumber(preview.highValueCustomers)} are high value (spent ${money(preview.highValueLine)} or more).`}
                    </Text>
                  </div>
                </BlockStack>
              ) : (
                <Text as="p" tone="subdued">Fix the fields above to see what they give.</Text>
              )}
            </Card>
            <InlineStack align="end" gap="200">
              <Button onClick={() => setDraft(data.settings)} disabled={!dirty}>Discard</Button>
              <Button variant="primary" onClick={save} loading={saving} disabled={!dirty || Object.keys(errors).length > 0}>Save</Button>
            </InlineStack>
          </BlockStack>
        </Card>
      </Layout.AnnotatedSection>
      <DigestSettingsSection context={context} />
      <ScheduledReportsSection context={context} />
      <SheetsSection context={context} />
      <ShopifyTagsSection timezone={context.timezone} />
      <ControlGroupSection />
      <SyncSection timezone={context.timezone} onStarted={onSyncStarted} />
      <DataRetentionSection />
      <DataRequestsSection context={context} />
    </Layout>
  );
}
