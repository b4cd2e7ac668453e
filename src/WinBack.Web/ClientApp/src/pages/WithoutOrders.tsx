import { useEffect, useState } from 'react';
import { Badge, Banner, BlockStack, Card, EmptyState, IndexTable, InlineStack, Pagination, Text } from '@shopify/polaris';
import { api, ApiError, countOf, formatDate, formatNumber, type CustomerPage, type ReportContext } from '../api';

/** Accounts that never bought: a different report with a different action (a first-purchase incentive, not a win-back). */
export function WithoutOrders({ context }: { context: ReportContext }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<CustomerPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    setLoading(true);
    api<CustomerPage>(`/api/reports/without-orders${cursor ? `?after=${encodeURIComponent(cursor)}` : ''}`)
      .then(setPage)
      .catch((e: ApiError) => setError(e.message))
      .finally(() => setLoading(false));
  }, [cursor]);

  const first = (cursors.length - 1) * (page?.pageSize ?? 50) + 1;
  return (
    <BlockStack gap="400">
      <Banner tone="info" title="Why these customers need another approach">
        <p>
          They created an account but never completed an order (cancelled and test orders do not count). A win-back offer speaks to
          someone who bought before; these customers respond better to a first-purchase incentive, such as a welcome discount or free shipping.
        </p>
      </Banner>
      {error && <Banner tone="critical" title="This list could not be shown"><p>{error}</p></Banner>}
      <Card padding="0">
        <div style={{ padding: '12px 16px' }}>
          <Text as="h2" variant="headingMd">{page ? `${countOf(page.totalCount, 'customer')} without orders` : 'Customers without orders'}</Text>
        </div>
        {page && page.totalCount === 0 ? (
          <EmptyState heading="Every customer has ordered" image="">
            <p>Customers who sign up without buying will show up here.</p>
          </EmptyState>
        ) : (
          <IndexTable resourceName={{ singular: 'customer', plural: 'customers' }} itemCount={page?.customers.length ?? 0} selectable={false} loading={loading}
            headings={[{ title: 'Customer' }, { title: 'Email' }, { title: 'Customer since' }]}>
            {page?.customers.map((c, index) => (
              <IndexTable.Row id={String(c.id)} key={c.id} position={index}>
                <IndexTable.Cell>
                  <a href={`https://admin.shopify.com/store/${context.shopDomain.split('.')[0]}/customers/${c.id}`} target="_top" style={{ color: 'inherit', fontWeight: 600 }}>{c.name}</a>
                </IndexTable.Cell>
                <IndexTable.Cell>{c.email ?? '—'}{c.emailSubscribed && <> <Badge tone="success" size="small">Subscribed</Badge></>}</IndexTable.Cell>
                <IndexTable.Cell>{formatDate(c.customerSince)}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        )}
        <div style={{ padding: '12px 16px' }}>
          <InlineStack align="end">
            <Pagination hasPrevious={cursors.length > 1} onPrevious={() => setCursors((c) => c.slice(0, -1))}
              hasNext={!!page?.nextCursor} onNext={() => page?.nextCursor && setCursors((c) => [...c, page.nextCursor])}
              label={page && page.customers.length > 0 ? `${formatNumber(first)}-${formatNumber(first + page.customers.length - 1)} of ${formatNumber(page.totalCount)}` : ''} />
          </InlineStack>
        </div>
      </Card>
    </BlockStack>
  );
}
