import { Badge, Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, SkeletonBodyText, SkeletonDisplayText, Text } from '@shopify/polaris';
import { BarChart } from '@shopify/polaris-viz';
import { countOf, formatMoney, formatNumber, type InactiveSummary, type ReportContext } from '../api';
import { PlaybookDisclosure } from './PlaybookSteps';

/** A figure, or a placeholder while the first import runs (a zero then would read as "none", not "not yet"). */
function Metric({ label, value, help, importing }: { label: string; value: string; help?: string; importing: boolean }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">{label}</Text>
        {importing ? <div aria-label={`${label}: counted once the import is done`}><SkeletonDisplayText size="large" /></div>
          : <Text as="p" variant="heading2xl">{value}</Text>}
        {importing ? <Text as="p" tone="subdued">Counted once your data is imported.</Text> : help && <Text as="p" tone="subdued">{help}</Text>}
      </BlockStack>
    </Card>
  );
}

const priorityTone = ['critical', 'warning', 'attention', 'info'] as const;

/** Said beside each figure the 60-day window limits, not only once at the top. */
const windowNoteOf = (summary: InactiveSummary) => (summary.dataWindow.allOrders ? '' : ` Counts orders since ${summary.dataWindow.ordersSince} only.`);

/** The figures above the table: how many, how fast, how much, and which segment first (short enough to leave the list in view on a laptop). */
export function Summary({ summary, context, importing, onSegment }: { summary: InactiveSummary; context: ReportContext; importing: boolean; onSegment: (key: string) => void }) {
  const money = (n: number) => formatMoney(n, context.currencyCode);
  const dataWindow = summary.dataWindow;
  const windowNote = windowNoteOf(summary);
  return (
    <BlockStack gap="400">
      {!dataWindow.allOrders && (
        <Banner tone="warning" title="WinBack sees only the last 60 days of your orders">
          <BlockStack gap="100">
            <p>{dataWindow.missing}</p>
            <p>{dataWindow.consequence}</p>
            <p>{dataWindow.howToAsk}</p>
          </BlockStack>
        </Banner>
      )}
      <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
        <Metric importing={importing} label="Inactive customers" value={formatNumber(summary.inactive)}
          help={`${Math.round(summary.inactiveShare * 1000) / 10} % of ${countOf(summary.customersWithOrders, 'customer')} with orders.${windowNote}`} />
        <Metric importing={importing} label="Went inactive this week" value={formatNumber(summary.wentInactiveThisWeek)} help={`Crossed ${context.thresholdWeeks} weeks in the last 7 days`} />
        <Metric importing={importing} label="Revenue at stake" value={money(summary.revenueAtStake)} help={`What the inactive customers have spent with you.${windowNote}`} />
        <Metric importing={importing} label="Customers without orders" value={formatNumber(summary.customersWithoutOrders)} help={`Accounts that never bought: see their own tab.${dataWindow.allOrders ? '' : ` Includes buyers whose orders are all before ${dataWindow.ordersSince}.`}`} />
      </InlineGrid>

      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">Who to win back first</Text>
          <Text as="p" tone="subdued">
            High value means total spent of at least {money(context.highValueLine)}; recently inactive means {context.thresholdWeeks} to {2 * context.thresholdWeeks} weeks away.
          </Text>
          {/* One row of four on a laptop, so the list starts above the fold. */}
          <InlineGrid columns={{ xs: 1, md: 2, lg: 4 }} gap="300">
            {summary.segments.map((s) => (
              <Box key={s.key} padding="300" borderWidth="025" borderColor="border" borderRadius="200">
                <BlockStack gap="200">
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="h3" variant="headingSm">{s.title}</Text>
                    <Badge tone={priorityTone[s.priority - 1]}>{`Priority ${s.priority}`}</Badge>
                  </InlineStack>
                  {importing ? <SkeletonBodyText lines={1} />
                    : <Text as="p" variant="headingLg">{`${countOf(s.customers, 'customer')} · ${money(s.totalSpent)}`}</Text>}
                  <Text as="p" tone="subdued">{s.suggestedAction}</Text>
                  {context.playbooks.filter((p) => p.key === s.key).map((p) => <PlaybookDisclosure key={p.key} playbook={p} />)}
                  <InlineStack>
                    <Button onClick={() => onSegment(s.key)} accessibilityLabel={`Show ${s.title}`} disabled={s.customers === 0}>Show these customers</Button>
                  </InlineStack>
                </BlockStack>
              </Box>
            ))}
          </InlineGrid>
        </BlockStack>
      </Card>
    </BlockStack>
  );
}

/** How it moves over time, below the table: active and inactive week by week, and weeks since last order. */
export function Trends({ summary, context, importing }: { summary: InactiveSummary; context: ReportContext; importing: boolean }) {
  // A year or more away is one bucket; kept out of the chart, where it would flatten the weeks around the threshold.
  const histogram = summary.weeksSinceLastOrder.filter((b) => b.weeks < 52).map((b) => ({ key: String(b.weeks), value: b.customers }));
  const yearOrMore = summary.weeksSinceLastOrder.find((b) => b.weeks >= 52)?.customers ?? 0;
  const windowNote = windowNoteOf(summary);
  return (
    <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">Active and inactive customers, week by week</Text>
          {importing ? <div style={{ height: 240 }}><SkeletonBodyText lines={8} /></div> : summary.retentionHistory.length === 0 ? (
            <div style={{ height: 240, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
              <Text as="p" tone="subdued">The series is built from your order history as soon as your data is imported, one bar a week from your first order.</Text>
            </div>
          ) : (
            <div style={{ height: 240 }}>
              <BarChart
                isAnimated={false}
                theme="Light"
                type="stacked"
                data={[
                  { name: 'Active', data: summary.retentionHistory.map((p) => ({ key: p.weekStart, value: p.active })) },
                  { name: 'Inactive', data: summary.retentionHistory.map((p) => ({ key: p.weekStart, value: p.inactive })) },
                ]}
              />
            </div>
          )}
          {summary.retentionTrend?.warning ? (
            <Banner tone="warning" title="Your inactive list is growing faster than your active customers">
              <p>{summary.retentionTrend.sentence}</p>
            </Banner>
          ) : (
            <Text as="p" tone="subdued">
              {summary.retentionTrend?.sentence ?? 'An inactive list growing faster than the active base is the warning sign; it is checked once there are 8 weeks of history.'}
            </Text>
          )}
          <Text as="p" tone="subdued">{`Each bar is a week as of its last day, with your threshold of ${context.thresholdWeeks} weeks; this week is as of today.${windowNote}`}</Text>
        </BlockStack>
      </Card>
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">Weeks since last order</Text>
          <div style={{ height: 240 }}>
            {importing ? <SkeletonBodyText lines={8} />
              : <BarChart isAnimated={false} theme="Light" showLegend={false} data={[{ name: 'Customers', data: histogram }]} emptyStateText="No orders yet." />}
          </div>
          <Text as="p" tone="subdued">
            {`Customers with orders by whole weeks away; from ${context.thresholdWeeks} weeks on they are inactive. ` +
              `${formatNumber(yearOrMore)} more have been away a year or longer.${windowNote}`}
          </Text>
        </BlockStack>
      </Card>
    </InlineGrid>
  );
}
