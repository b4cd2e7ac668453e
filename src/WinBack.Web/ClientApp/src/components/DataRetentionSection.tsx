import { useEffect, useState } from 'react';
import { BlockStack, Button, Card, Checkbox, InlineStack, Layout, SkeletonBodyText, Text, TextField } from '@shopify/polaris';
import { api, formatNumber, type RetentionStatus } from '../api';
import { useSectionMessage } from './useSectionMessage';

/** Data minimisation: forget customers gone longer than a period, with what that would erase shown before saving. */
export function DataRetentionSection() {
  const [status, setStatus] = useState<RetentionStatus | null>(null);
  const [enabled, setEnabled] = useState(false);
  const [months, setMonths] = useState('36');
  const [preview, setPreview] = useState<RetentionStatus | null>(null);
  const { succeed, fail, banner } = useSectionMessage();

  useEffect(() => {
    api<RetentionStatus>('/api/data-retention').then((s) => {
      setStatus(s);
      setEnabled(s.months !== null);
      setMonths(String(s.months ?? s.suggestedMonths));
      setPreview(s);
    }).catch(fail);
  }, []);

  // What the period typed would erase, asked as the merchant types.
  useEffect(() => {
    if (!status) return;
    const value = Number(months);
    if (!Number.isInteger(value) || value < status.minMonths || value > status.maxMonths) return;
    const timer = window.setTimeout(() => api<RetentionStatus>(`/api/data-retention?months=${value}`).then(setPreview).catch(() => undefined), 300);
    return () => window.clearTimeout(timer);
  }, [months, status]);

  if (!status) return <Layout.AnnotatedSection title="Forget long-gone customers"><Card><SkeletonBodyText lines={3} /></Card></Layout.AnnotatedSection>;

  const save = async () => {
    try {
      const saved = await api<RetentionStatus>('/api/data-retention', { method: 'PUT', body: JSON.stringify({ months: enabled ? Number(months) : null }) });
      setStatus(saved);
      succeed(enabled ? `Customers gone more than ${saved.months} months will be erased tonight.` : 'WinBack keeps every customer.');
    } catch (e) {
      fail(e);
    }
  };

  return (
    <Layout.AnnotatedSection title="Forget long-gone customers"
      description="Data minimisation: WinBack can erase the names and emails of customers who have not ordered for years. Their orders stay in your totals, without a name.">
      <Card>
        <BlockStack gap="300">
          {banner}
          <Checkbox label="Erase customers whose last order is older than" checked={enabled} onChange={setEnabled} />
          <TextField label="Months" type="number" autoComplete="off" value={months} onChange={setMonths} min={status.minMonths} max={status.maxMonths}
            helpText={`Between ${status.minMonths} and ${status.maxMonths} months; ${status.suggestedMonths} is a common choice.`} />
          {preview && (
            <Text as="p" tone={preview.customersBeyond > 0 ? 'caution' : 'subdued'}>
              {`${formatNumber(preview.customersBeyond)} customers last ordered more than ${preview.monthsCounted} months ago and would be erased, from the report, exports and your Google Sheets too.`}
            </Text>
          )}
          <InlineStack align="end"><Button onClick={save} variant="primary">Save retention</Button></InlineStack>
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}
