import { useEffect, useState } from 'react';
import { BlockStack, Button, Card, FormLayout, InlineStack, Layout, Select, Text, TextField } from '@shopify/polaris';
import { api, formatDateTime, ApiError, type ReportContext, type SavedView, type ScheduledReport } from '../api';
import { useSectionMessage } from './useSectionMessage';
import { days, hours } from './DigestSettingsSection';

const frequencies = [{ label: 'Daily', value: 'Daily' }, { label: 'Weekly', value: 'Weekly' }, { label: 'Monthly (on the 1st)', value: 'Monthly' }];

/** Saved views emailed on their own schedule: the list, and a form to add one. */
export function ScheduledReportsSection({ context }: { context: ReportContext }) {
  const [reports, setReports] = useState<ScheduledReport[]>([]);
  const [views, setViews] = useState<SavedView[]>([]);
  const [form, setForm] = useState({ viewId: '', frequency: 'Weekly', day: 'Monday', hour: '8', recipients: '' });
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const { succeed, fail, banner } = useSectionMessage();

  const load = () => {
    api<ScheduledReport[]>('/api/scheduled-reports').then(setReports).catch(fail);
    api<SavedView[]>('/api/views').then((v) => {
      setViews(v);
      setForm((f) => (f.viewId === '' && v.length > 0 ? { ...f, viewId: String(v[0].id) } : f));
    }).catch(() => setViews([]));
  };
  useEffect(load, []);

  const schedule = async () => {
    try {
      await api('/api/scheduled-reports', {
        method: 'POST',
        body: JSON.stringify({ viewId: Number(form.viewId), frequency: form.frequency, day: form.day, hour: Number(form.hour), recipients: form.recipients.split(/[,;\s]+/).filter(Boolean) }),
      });
      setErrors({});
      succeed('Report scheduled.');
      load();
    } catch (e) {
      const error = e as ApiError;
      setErrors(error.errors);
      fail(error);
    }
  };
  const remove = async (id: number) => {
    await api(`/api/scheduled-reports/${id}`, { method: 'DELETE' }).catch(fail);
    load();
  };

  const when = (iso: string) => formatDateTime(iso, context.timezone);
  return (
    <Layout.AnnotatedSection title="Scheduled reports"
      description="Any saved view of the report (save one from the report's table), emailed daily, weekly or monthly: the first rows in the email, every row in the CSV.">
      <Card>
        <BlockStack gap="400">
          {banner}
          {reports.length === 0 ? (
            <Text as="p" tone="subdued">No scheduled reports yet.</Text>
          ) : (
            <BlockStack gap="200">
              {reports.map((r) => (
                <InlineStack key={r.id} align="space-between" blockAlign="center">
                  <BlockStack gap="050">
                    <Text as="p" fontWeight="semibold">{r.viewName}</Text>
                    <Text as="p" tone="subdued">
                      {`${r.frequency}${r.frequency === 'Weekly' ? ` on ${r.day}` : ''} at ${String(r.hour).padStart(2, '0')}:00 to ${r.recipients.join(', ')}` +
                        (r.nextAt ? ` · next ${when(r.nextAt)}` : '')}
                    </Text>
                    {r.lastError && <Text as="p" tone="critical">{r.lastError}</Text>}
                  </BlockStack>
                  <Button variant="plain" tone="critical" onClick={() => remove(r.id)} accessibilityLabel={`Stop sending ${r.viewName}`}>Remove</Button>
                </InlineStack>
              ))}
            </BlockStack>
          )}
          {views.length === 0 ? (
            <Text as="p" tone="subdued">Save a view of the report first (the report's "Save view" button), then schedule it here.</Text>
          ) : (
            <FormLayout>
              <FormLayout.Group>
                <Select label="Saved view" options={views.map((v) => ({ label: v.name, value: String(v.id) }))} value={form.viewId}
                  onChange={(viewId) => setForm({ ...form, viewId })} error={errors.viewId?.[0]} />
                <Select label="How often" options={frequencies} value={form.frequency} onChange={(frequency) => setForm({ ...form, frequency })} />
              </FormLayout.Group>
              <FormLayout.Group>
                {form.frequency === 'Weekly' && <Select label="Day" options={days} value={form.day} onChange={(day) => setForm({ ...form, day })} />}
                <Select label={`Hour (${context.timezone})`} options={hours} value={form.hour} onChange={(hour) => setForm({ ...form, hour })} />
              </FormLayout.Group>
              <TextField label="Send the report to" autoComplete="email" value={form.recipients} onChange={(recipients) => setForm({ ...form, recipients })}
                helpText="Email addresses, separated by commas." error={errors.recipients?.[0]} />
              <InlineStack align="end"><Button onClick={schedule}>Schedule report</Button></InlineStack>
            </FormLayout>
          )}
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}
