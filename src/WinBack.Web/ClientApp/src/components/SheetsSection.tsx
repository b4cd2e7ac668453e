import { useEffect, useState } from 'react';
import { Badge, Banner, BlockStack, Button, Card, FormLayout, InlineStack, Layout, Select, Text, TextField } from '@shopify/polaris';
import { api, formatDateTime, ApiError, formatNumber, type ReportContext, type SavedView, type SheetSync, type SheetsPage } from '../api';
import { useSectionMessage } from './useSectionMessage';

const frequencies = [{ label: 'Daily', value: 'Daily' }, { label: 'Hourly', value: 'Hourly' }, { label: 'After each data sync', value: 'AfterSync' }];

/** Google Sheets kept current for win-back flows: the account to share with, each sheet's status, connect / sync now / remove. */
export function SheetsSection({ context }: { context: ReportContext }) {
  const [page, setPage] = useState<SheetsPage | null>(null);
  const [views, setViews] = useState<SavedView[]>([]);
  const [form, setForm] = useState({ spreadsheet: '', tab: 'Inactive customers', viewId: '', frequency: 'Daily' });
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const { succeed, fail, banner } = useSectionMessage();

  const load = () => {
    api<SheetsPage>('/api/sheets').then(setPage).catch(fail);
    api<SavedView[]>('/api/views').then(setViews).catch(() => setViews([]));
  };
  useEffect(load, []);

  const connect = async () => {
    try {
      const sync = await api<SheetSync>('/api/sheets', {
        method: 'POST',
        body: JSON.stringify({ spreadsheet: form.spreadsheet, tab: form.tab, viewId: form.viewId ? Number(form.viewId) : null, frequency: form.frequency }),
      });
      setErrors({});
      succeed(sync.verified ? 'Sheet connected. The first run has started.' : 'Sheet added. Now show WinBack the spreadsheet is yours (below).');
      load();
    } catch (e) {
      const error = e as ApiError;
      setErrors(error.errors);
      fail(error);
    }
  };
  const act = async (path: string, method: string, done: string) => {
    try {
      await api(path, { method });
      succeed(done);
      load();
    } catch (e) {
      fail(e);
    }
  };

  const when = (iso: string) => formatDateTime(iso, context.timezone);
  return (
    <Layout.AnnotatedSection title="Google Sheets"
      description="A sheet WinBack rewrites with the current list, for Klaviyo, Mailchimp or Zapier flows. Customers who come back, or ask to be forgotten, leave the sheet on its next run.">
      <Card>
        <BlockStack gap="400">
          {banner}
          {page && !page.serviceAccountEmail ? (
            <Banner tone="warning"><p>Google Sheets is not set up on this WinBack server yet.</p></Banner>
          ) : (
            <Text as="p">{`Share your spreadsheet with ${page?.serviceAccountEmail ?? '…'} as an editor, then paste its address below. WinBack then gives you a code to type into the spreadsheet, so it knows the spreadsheet is yours.`}</Text>
          )}
          {page?.syncs.map((s) => (
            <BlockStack key={s.id} gap="100">
              <InlineStack align="space-between" blockAlign="center">
                <InlineStack gap="200" blockAlign="center">
                  <Text as="p" fontWeight="semibold">{`${s.tab} · ${s.viewName ?? 'All inactive customers'}`}</Text>
                  {!s.verified ? <Badge tone="attention">Not verified</Badge> : s.paused ? <Badge tone="critical">Paused</Badge> : s.lastError ? <Badge tone="warning">Failing</Badge> : s.lastSuccessAt ? <Badge tone="success">Current</Badge> : <Badge>Waiting</Badge>}
                </InlineStack>
                <InlineStack gap="200">
                  {s.verified
                    ? <Button onClick={() => act(`/api/sheets/${s.id}/run`, 'POST', 'The sheet is being updated now.')}>{s.paused ? 'Resume and sync now' : 'Sync now'}</Button>
                    : <Button variant="primary" onClick={() => act(`/api/sheets/${s.id}/verify`, 'POST', 'Verified. The first update has started.')}>Verify</Button>}
                  <Button variant="plain" tone="critical" onClick={() => act(`/api/sheets/${s.id}`, 'DELETE', 'The sheet is no longer updated, and the customers WinBack wrote to it are cleared.')}>Remove</Button>
                </InlineStack>
              </InlineStack>
              {!s.verified && page && (
                <Banner tone="info" title="Show WinBack this spreadsheet is yours">
                  <BlockStack gap="200">
                    <p>WinBack writes only to spreadsheets you have shown are yours. In the spreadsheet, add a tab named <b>{page.verificationTab}</b>,
                      type the code below into its cell <b>{page.verificationCell}</b>, then press Verify. You can delete that tab afterwards.</p>
                    {s.verificationCode ? (
                      <InlineStack gap="200" blockAlign="center">
                        <Text as="span" variant="headingMd" fontWeight="bold"><code>{s.verificationCode}</code></Text>
                        {s.verificationCodeExpiresAt && <Text as="span" tone="subdued">{`valid until ${when(s.verificationCodeExpiresAt)}`}</Text>}
                      </InlineStack>
                    ) : <p>Get a code to start.</p>}
                    <InlineStack>
                      <Button variant="plain" onClick={() => act(`/api/sheets/${s.id}/code`, 'POST', 'Here is a new code. Type it into the spreadsheet instead of the old one.')}>
                        {s.verificationCode ? 'New code' : 'Get a code'}
                      </Button>
                    </InlineStack>
                  </BlockStack>
                </Banner>
              )}
              <Text as="p" tone="subdued">
                {`${frequencies.find((f) => f.value === s.frequency)?.label ?? s.frequency}` +
                  (s.lastSuccessAt ? ` · last updated ${when(s.lastSuccessAt)} with ${formatNumber(s.rowsWritten)} customers` : ' · not updated yet') +
                  (s.nextRunAt ? ` · next update ${when(s.nextRunAt)}` : s.frequency === 'AfterSync' && !s.paused ? ' · next update after the next data sync' : '')}
              </Text>
              {s.lastError && <Text as="p" tone="critical">{s.lastError}</Text>}
            </BlockStack>
          ))}
          <FormLayout>
            <TextField label="Spreadsheet address" autoComplete="off" placeholder="https://docs.google.com/spreadsheets/d/…" value={form.spreadsheet}
              onChange={(spreadsheet) => setForm({ ...form, spreadsheet })} error={errors.spreadsheet?.[0]} />
            <FormLayout.Group>
              <TextField label="Tab" autoComplete="off" value={form.tab} onChange={(tab) => setForm({ ...form, tab })} error={errors.tab?.[0]} />
              <Select label="Customers" value={form.viewId} onChange={(viewId) => setForm({ ...form, viewId })}
                options={[{ label: 'All inactive customers', value: '' }, ...views.map((v) => ({ label: v.name, value: String(v.id) }))]} />
              <Select label="Update" options={frequencies} value={form.frequency} onChange={(frequency) => setForm({ ...form, frequency })} />
            </FormLayout.Group>
            <InlineStack align="end"><Button onClick={connect} disabled={!page?.serviceAccountEmail}>Connect sheet</Button></InlineStack>
          </FormLayout>
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}
