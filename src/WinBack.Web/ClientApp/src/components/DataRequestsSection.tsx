import { useCallback, useEffect, useState } from 'react';
import { Badge, Banner, BlockStack, Button, Card, InlineStack, Layout, SkeletonBodyText, Text } from '@shopify/polaris';
import { api, ApiError, downloadFile, formatDay, type DataRequest, type ReportContext } from '../api';

/** Shopify's customers/data_request: what was asked, the file WinBack prepared, and the merchant's duty to send it on. */
export function DataRequestsSection({ context }: { context: ReportContext }) {
  const [requests, setRequests] = useState<DataRequest[] | null>(null);
  const [downloading, setDownloading] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api<DataRequest[]>('/api/privacy/data-requests').then(setRequests).catch((e: ApiError) => setError(e.message));
  }, []);
  useEffect(load, [load]);

  const download = async (request: DataRequest) => {
    setDownloading(request.id);
    try {
      await downloadFile(`/api/privacy/data-requests/${request.id}`, `customer-${request.customerId}-data-request-${request.id}.json`);
      load();
    } catch (e) {
      setError((e as ApiError).message);
    } finally {
      setDownloading(null);
    }
  };

  const day = (iso: string) => formatDay(iso, context.timezone);
  const adminHandle = context.shopDomain.split('.')[0];
  return (
    <Layout.AnnotatedSection title="Customer data requests"
      description="When a customer asks your shop for the data kept about them, Shopify tells WinBack, and WinBack prepares a file of what it holds. Shopify does not pass it on: download it and send it to the customer yourself within 30 days of the request.">
      <Card>
        <BlockStack gap="300">
          {error && <Banner tone="critical" onDismiss={() => setError(null)}><p>{error}</p></Banner>}
          {requests === null && !error && <SkeletonBodyText lines={2} />}
          {requests?.length === 0 && (
            <Text as="p" tone="subdued">No customer has asked for their data. When one does, the file to send them appears here.</Text>
          )}
          {requests?.map((r) => (
            <InlineStack key={r.id} align="space-between" blockAlign="center" gap="300">
              <BlockStack gap="100">
                <InlineStack gap="200" blockAlign="center">
                  <a href={`https://admin.shopify.com/store/${adminHandle}/customers/${r.customerId}`} target="_top" style={{ color: 'inherit', fontWeight: 600 }}>
                    {`Customer ${r.customerId}`}
                  </a>
                  {r.downloadedAt
                    ? <Badge tone="success">{`Downloaded ${day(r.downloadedAt)}`}</Badge>
                    : <Badge tone="attention">Not downloaded yet</Badge>}
                </InlineStack>
                <Text as="p" tone="subdued">{`Asked on ${day(r.requestedAt)}. Send the file to the customer by ${day(r.respondBy)}.`}</Text>
              </BlockStack>
              <Button onClick={() => download(r)} loading={downloading === r.id} accessibilityLabel={`Download the data of customer ${r.customerId}`}>
                Download
              </Button>
            </InlineStack>
          ))}
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}

/** On the report: a reminder while a data request's file has not been downloaded, with the way to it. */
export function DataRequestsBanner({ context, onOpen }: { context: ReportContext; onOpen: () => void }) {
  const [waiting, setWaiting] = useState<DataRequest[]>([]);
  useEffect(() => {
    api<DataRequest[]>('/api/privacy/data-requests').then((all) => setWaiting(all.filter((r) => !r.downloadedAt))).catch(() => undefined);
  }, []);
  if (waiting.length === 0) return null;

  const due = waiting.map((r) => r.respondBy).sort()[0];
  return (
    <Banner tone="warning" title={waiting.length === 1 ? 'A customer asked for their data' : `${waiting.length} customers asked for their data`}
      action={{ content: 'See data requests', onAction: onOpen }}>
      <p>{`Download the file WinBack prepared and send it to the customer by ${formatDay(due, context.timezone)}. Shopify does not send it for you.`}</p>
    </Banner>
  );
}
