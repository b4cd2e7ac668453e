import { useEffect, useState } from 'react';
import { Badge, BlockStack, Box, Button, Card, Collapsible, DataTable, Pagination, SkeletonBodyText, Text } from '@shopify/polaris';
import { api, countOf, formatDay, formatMoney, type CameBackPage, type Difference, type LiftReport, type LiftWindow, type ReportContext } from '../api';

const signed = (d: Difference, format: (n: number) => string) => `${d.estimate >= 0 ? '+' : '−'}${format(Math.abs(d.estimate))} (± ${format(d.margin)})`;
// As the headline writes them: one decimal, a space before the sign ("4.1 %").
const points = (n: number) => `${(n * 100).toFixed(1)} %`;

/** Contacted against the control group: the headline, each segment's difference per window, and how it is measured. */
export function LiftCard({ lift, context }: { lift: LiftReport | null; context: ReportContext }) {
  const [open, setOpen] = useState(false);
  const money = (n: number) => formatMoney(n, context.currencyCode);
  const cell = (w: LiftWindow) => (w.rateDifference ? signed(w.rateDifference, points) : 'too few yet');
  const measured = lift?.all.windows.find((w) => w.days === lift.headlineDays);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">Measured lift</Text>
        {!lift ? <SkeletonBodyText lines={3} /> : (
          <>
            <Text as="p" variant="headingSm" tone={lift.headlineDays === null ? 'subdued' : undefined}>{lift.headline}</Text>
            {measured?.revenueDifference && (
              <Text as="p">
                {`Revenue per listed customer over ${measured.days} days: ${money(measured.contacted.revenuePerCustomer ?? 0)} contacted against `}
                {`${money(measured.control.revenuePerCustomer ?? 0)} in the control group, ${signed(measured.revenueDifference, money)}.`}
              </Text>
            )}
            {(lift.controlGroupOn || lift.all.windows.some((w) => w.control.listed > 0)) && (
              <DataTable
                columnContentTypes={['text', 'numeric', 'numeric', 'numeric']}
                headings={['Came back, contacted minus control', 'In 30 days', 'In 60 days', 'In 90 days']}
                rows={[...lift.segments, lift.all].map((row) => [
                  row.segment ? context.segments.find((s) => s.key === row.segment)?.title ?? row.segment : 'All listed customers',
                  ...row.windows.map(cell),
                ])}
              />
            )}
            <Box>
              <Button variant="plain" onClick={() => setOpen((o) => !o)} ariaExpanded={open} ariaControls="lift-method" disclosure={open ? 'up' : 'down'}>
                How this is measured
              </Button>
            </Box>
            <Collapsible id="lift-method" open={open}>
              <BlockStack gap="200">
                <Text as="p">{lift.whyControlGroup}</Text>
                <Text as="p">
                  A customer is in the control group or not by chance, and stays so. Both groups are followed from the moment they were listed
                  (or held out), and count as come back with a qualifying order within the window.
                </Text>
                <Text as="p" tone="subdued">{lift.method}</Text>
              </BlockStack>
            </Collapsible>
          </>
        )}
      </BlockStack>
    </Card>
  );
}

/** Listed customers who ordered again, latest first: when, after which listing, and their first order after it. */
export function CameBackCard({ context }: { context: ReportContext }) {
  const [page, setPage] = useState(1);
  const [data, setData] = useState<CameBackPage | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    api<CameBackPage>(`/api/reports/outcomes/came-back?page=${page}`).then(setData).catch(() => setFailed(true));
  }, [page]);

  if (failed) return null;
  const day = (iso: string) => formatDay(iso, context.timezone);
  const pages = data ? Math.max(1, Math.ceil(data.totalCount / data.pageSize)) : 1;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">Who came back</Text>
        {!data ? <SkeletonBodyText lines={4} /> : data.totalCount === 0 ? (
          <Text as="p" tone="subdued">Nobody WinBack listed in the last year has ordered again yet. Customers appear here with their first order after the listing.</Text>
        ) : (
          <>
            <Text as="p">{`${countOf(data.totalCount, 'listed customer')} ordered again after WinBack listed them.`}</Text>
            <DataTable
              columnContentTypes={['text', 'text', 'text', 'text']}
              headings={['Customer', 'Came back', 'After the listing of', 'First order']}
              rows={data.customers.map((c) => [
                <BlockStack key={`${c.customerId}-${c.listedAt}`} gap="050">
                  <Text as="span" fontWeight="semibold">{c.name}</Text>
                  {c.email && <Text as="span" tone="subdued" variant="bodySm">{c.email}</Text>}
                </BlockStack>,
                `${day(c.cameBackAt)} (${countOf(c.daysAfterListing, 'day')} later)`,
                <BlockStack key={`${c.customerId}-listing`} gap="050">
                  <Text as="span">{day(c.listedAt)}</Text>
                  {c.control
                    ? <Box><Badge tone="info">{`Control group, held out of ${c.channels.join(', ')}`}</Badge></Box>
                    : <Text as="span" tone="subdued" variant="bodySm">{c.channels.join(', ')}</Text>}
                </BlockStack>,
                <BlockStack key={`${c.customerId}-order`} gap="050">
                  <Text as="span">{`${c.orderName} · ${formatMoney(c.orderTotal, context.currencyCode)}`}</Text>
                  {c.products.length > 0 && <Text as="span" tone="subdued" variant="bodySm">{c.products.join(', ')}</Text>}
                </BlockStack>,
              ])}
            />
            {pages > 1 && (
              <Pagination hasPrevious={page > 1} onPrevious={() => setPage(page - 1)} hasNext={page < pages} onNext={() => setPage(page + 1)}
                label={`Page ${page} of ${pages}`} />
            )}
          </>
        )}
      </BlockStack>
    </Card>
  );
}
