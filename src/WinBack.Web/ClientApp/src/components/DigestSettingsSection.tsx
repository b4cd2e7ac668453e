import { useEffect, useState } from 'react';
import { Banner, BlockStack, Button, Card, Checkbox, FormLayout, InlineStack, Layout, Select, SkeletonBodyText, Text, TextField } from '@shopify/polaris';
import { api, formatDateTime, ApiError, type Delivery, type DigestPage, type DigestSettings, type ReportContext } from '../api';
import { useSectionMessage } from './useSectionMessage';

export const days = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
export const hours = Array.from({ length: 24 }, (_, h) => ({ label: `${String(h).padStart(2, '0')}:00`, value: String(h) }));

const when = (iso: string, timezone: string) =>
  formatDateTime(iso, timezone, 'full');

/** "2026-W48" as a merchant reads it. */
const weekOf = (period: string | undefined) => (period ?? '').replace(/^(\d{4})-W(\d{2})$/, (_, year: string, week: string) => `week ${Number(week)} of ${year}`);

/** Where an email that is not sent stands, in the merchant's words, or null when there is nothing to say. */
function DeliveryProblem({ delivery, what, timezone }: { delivery: Delivery | undefined | null; what: string; timezone: string }) {
  if (delivery?.status === 'Retrying' && delivery.retryingUntil)
    return (
      <Banner tone="warning" title={`The ${what} is not sent yet`}>
        <p>{`${delivery.problem ?? 'The last attempt failed.'} WinBack keeps trying until ${when(delivery.retryingUntil, timezone)}.`}</p>
      </Banner>
    );
  if (delivery?.status === 'Abandoned')
    return <Banner tone="critical" title={`The ${what} was not sent`}><p>{delivery.problem}</p></Banner>;
  return null;
}

/** The weekly digest: recipients, day and hour in the shop's timezone, the CSV, a test send, and where the latest one stands. */
export function DigestSettingsSection({ context }: { context: ReportContext }) {
  const [page, setPage] = useState<DigestPage | null>(null);
  const [draft, setDraft] = useState<DigestSettings | null>(null);
  const [recipients, setRecipients] = useState('');
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const { succeed, fail, banner } = useSectionMessage();
  const [busy, setBusy] = useState<'save' | 'test' | null>(null);

  const load = () =>
    api<DigestPage>('/api/digest').then((p) => {
      setPage(p);
      setDraft(p.settings);
      setRecipients(p.settings.recipients.join(', '));
    }).catch(fail);
  useEffect(() => { load(); }, []);

  if (!page || !draft) return <Layout.AnnotatedSection title="Weekly digest"><Card><SkeletonBodyText lines={5} /></Card></Layout.AnnotatedSection>;

  const body = () => ({ ...draft, recipients: recipients.split(/[,;\s]+/).filter(Boolean) });
  const save = async () => {
    setBusy('save');
    try {
      await api('/api/digest', { method: 'PUT', body: JSON.stringify(body()) });
      setErrors({});
      succeed('Digest settings saved.');
      await load();
    } catch (e) {
      const error = e as ApiError;
      setErrors(error.errors);
      fail(error);
    } finally {
      setBusy(null);
    }
  };
  const sendTest = async () => {
    setBusy('test');
    try {
      await api('/api/digest/test', { method: 'POST' });
      succeed(`A test digest is on its way to ${page.settings.recipients.join(', ')}.`);
      await load();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(null);
    }
  };

  const lastSent = page.lastSentDigest;
  const alert = page.recent.find((d) => d.kind === 'high-value-alert');
  return (
    <Layout.AnnotatedSection title="Weekly digest"
      description="Every week, an email with who went inactive, the high-value customers at risk, the segments and what to do, and a link to this report. Only the addresses below receive it.">
      <Card>
        <BlockStack gap="400">
          {banner}
          <DeliveryProblem delivery={page.digest} what={`digest of ${weekOf(page.digest?.period)}`} timezone={context.timezone} />
          <DeliveryProblem delivery={alert} what={`high-value alert of ${alert?.period}`} timezone={context.timezone} />
          <FormLayout>
            <Checkbox label="Send the weekly digest" checked={draft.enabled} onChange={(enabled) => setDraft({ ...draft, enabled })} />
            <TextField label="Send the digest to" autoComplete="email" value={recipients} onChange={setRecipients} multiline={2}
              helpText="Email addresses, separated by commas (at most 10)." error={errors.recipients?.[0]} />
            <FormLayout.Group>
              <Select label="Day" options={days} value={draft.day} onChange={(day) => setDraft({ ...draft, day })} />
              <Select label={`Hour (${context.timezone})`} options={hours} value={String(draft.hour)} onChange={(h) => setDraft({ ...draft, hour: Number(h) })} />
            </FormLayout.Group>
            <Checkbox label="Attach the full inactive list as CSV" checked={draft.attachCsv} onChange={(attachCsv) => setDraft({ ...draft, attachCsv })} />
            <Checkbox label="Alert me when high-value customers reach the threshold" helpText="A short email at the same hour, at most one a day, listing them."
              checked={draft.alertsEnabled} onChange={(alertsEnabled) => setDraft({ ...draft, alertsEnabled })} />
          </FormLayout>
          <BlockStack gap="100">
            {page.nextDigestAt && <Text as="p" tone="subdued">{`Next digest: ${when(page.nextDigestAt, context.timezone)}.`}</Text>}
            {page.digest?.status === 'Sending' && <Text as="p" tone="subdued">{`The digest of ${weekOf(page.digest.period)} is being sent.`}</Text>}
            {lastSent?.sentAt && <Text as="p" tone="subdued">{`Last digest sent ${when(lastSent.sentAt, context.timezone)} to ${lastSent.recipients.join(', ')}.`}</Text>}
          </BlockStack>
          <InlineStack align="end" gap="200">
            <Button onClick={sendTest} loading={busy === 'test'} disabled={page.settings.recipients.length === 0}>Send a test digest now</Button>
            <Button variant="primary" onClick={save} loading={busy === 'save'}>Save digest settings</Button>
          </InlineStack>
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}
