import { useEffect, useState } from 'react';
import { Badge, BlockStack, Card, InlineGrid, InlineStack, SkeletonBodyText, Text } from '@shopify/polaris';
import { api, ApiError, countOf, formatMoney, formatNumber, formatPercent, type ReportContext, type RfmOverview } from '../api';

/** Every customer with an order in the 11 RFM groups; a group opens its list below. */
export function RfmGrid({ context, selected, onSelect }: { context: ReportContext; selected: string | null; onSelect: (key: string | null) => void }) {
  const [overview, setOverview] = useState<RfmOverview | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<RfmOverview>('/api/reports/rfm').then(setOverview).catch((e: ApiError) => setError(e.message));
  }, []);

  if (error) return <Card><Text as="p" tone="critical">{error}</Text></Card>;
  if (!overview) return <Card><SkeletonBodyText lines={6} /></Card>;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <Text as="h2" variant="headingMd">{`RFM overview: ${countOf(overview.customers, 'customer')} with an order`}</Text>
          {overview.moved !== null && <Badge tone="info">{`${countOf(overview.moved, 'customer')} moved between groups since last week`}</Badge>}
        </InlineStack>
        <Text as="p" tone="subdued">{overview.explanation} Choose a group to list its customers.</Text>
        <InlineGrid columns={{ xs: 2, md: 4, lg: 6 }} gap="200">
          {overview.groups.map((g) => {
            const active = selected === g.key;
            return (
              <button key={g.key} type="button" data-rfm-group={g.key} onClick={() => onSelect(active ? null : g.key)} title={g.description}
                style={{
                  textAlign: 'left', cursor: 'pointer', borderRadius: 8, padding: 10, font: 'inherit',
                  border: active ? '2px solid #005bd3' : '1px solid #e3e3e3', background: active ? '#eaf4ff' : '#fafafa',
                }}>
                <BlockStack gap="050">
                  <Text as="span" fontWeight="semibold">{g.title}</Text>
                  <Text as="span" variant="headingLg">{formatNumber(g.customers)}</Text>
                  <Text as="span" variant="bodySm" tone="subdued">
                    {`${overview.customers > 0 ? formatPercent(g.customers / overview.customers) : '0 %'} · ${formatMoney(g.totalSpent, context.currencyCode)}`}
                  </Text>
                  {g.movedIn !== null && g.movedOut !== null && (
                    <Text as="span" variant="bodySm" tone="subdued">{`+${formatNumber(g.movedIn)} in · −${formatNumber(g.movedOut)} out`}</Text>
                  )}
                </BlockStack>
              </button>
            );
          })}
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}
