import { useEffect, useState } from 'react';
import { BlockStack, Box, Card, Collapsible, DataTable, Button, InlineGrid, List, SkeletonBodyText, Text } from '@shopify/polaris';
import {
  api, formatDate, formatMoney, formatNumber, formatPercent, type ModelStatus, type OutcomeReport, type OutcomeWindow, type ProductReflectionReport,
  type ReportContext,
} from '../api';
import { TrackRecordSection } from './TrackRecord';
import { CameBackCard, LiftCard } from './LiftCard';

/** Below the table: what happened to customers WinBack listed, what lost customers bought, and how the predictions are made. */
export function Insights({ context }: { context: ReportContext }) {
  const [outcomes, setOutcomes] = useState<OutcomeReport | null>(null);
  const [products, setProducts] = useState<ProductReflectionReport | null>(null);
  const [model, setModel] = useState<ModelStatus | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const fail = () => setFailed(true);
    api<OutcomeReport>('/api/reports/outcomes').then(setOutcomes).catch(fail);
    api<ProductReflectionReport>('/api/reports/inactive/products').then(setProducts).catch(fail);
    api<ModelStatus>('/api/predictions/model').then(setModel).catch(fail);
  }, []);

  if (failed) return null;
  return (
    <BlockStack gap="400">
      <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
        <OutcomesCard outcomes={outcomes} context={context} />
        <ProductsCard products={products} />
      </InlineGrid>
      <LiftCard lift={outcomes?.lift ?? null} context={context} />
      <CameBackCard context={context} />
      <AboutNumbers model={model} />
    </BlockStack>
  );
}

const rate = (w: OutcomeWindow) => (w.rate === null ? 'too early' : `${formatPercent(w.rate, 1)} (${formatNumber(w.cameBack)})`);

function OutcomesCard({ outcomes, context }: { outcomes: OutcomeReport | null; context: ReportContext }) {
  const money = (n: number) => formatMoney(n, context.currencyCode);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">Win-back results</Text>
        {!outcomes ? <SkeletonBodyText lines={4} /> : outcomes.all.listed === 0 ? (
          <Text as="p" tone="subdued">
            Once customers appear in your digest, a CSV, your Google Sheet, a scheduled report or a Shopify tag, WinBack follows who orders again within 30, 60 and 90 days,
            and what they spend.
          </Text>
        ) : (
          <>
            <Text as="p">
              {`${formatNumber(outcomes.all.cameBackSoFar)} of ${formatNumber(outcomes.all.listed)} customers listed in the last ${outcomes.lookbackDays} days came back, `}
              {`spending ${money(outcomes.all.revenueSoFar)}.`}
            </Text>
            <DataTable
              columnContentTypes={['text', 'numeric', 'numeric', 'numeric', 'numeric']}
              headings={['Segment', 'Listed', 'In 30 days', 'In 60 days', 'In 90 days']}
              rows={[...outcomes.segments, outcomes.all].map((row) => [
                row.segment ? context.segments.find((s) => s.key === row.segment)?.title ?? row.segment : 'All',
                formatNumber(row.listed),
                ...row.windows.map(rate),
              ])}
            />
            <Text as="p" variant="bodySm" tone="subdued">A rate counts only customers listed at least that many days ago.</Text>
          </>
        )}
      </BlockStack>
    </Card>
  );
}

function ProductsCard({ products }: { products: ProductReflectionReport | null }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">What lost customers bought</Text>
        {!products ? <SkeletonBodyText lines={4} /> : products.products.length === 0 ? (
          <Text as="p" tone="subdued">
            {`No product stands out: none was bought more often by inactive customers than by active ones (by at least ${products.minimumInactiveBuyers} inactive customers).`}
          </Text>
        ) : (
          <>
            <DataTable
              columnContentTypes={['text', 'numeric', 'numeric', 'numeric']}
              headings={['Product', 'Inactive buyers', 'Active buyers', 'Lift']}
              rows={products.products.map((p) => [
                p.title,
                `${formatNumber(p.inactiveCustomers)} (${formatPercent(p.inactiveShare)})`,
                `${formatNumber(p.activeCustomers)} (${formatPercent(p.activeShare)})`,
                `${p.lift.toFixed(1)}×`,
              ])}
            />
            <Text as="p" variant="bodySm" tone="subdued">
              Lift: how much more often inactive customers bought the product than active ones. Above 1, it is more common among the customers you lost.
            </Text>
          </>
        )}
      </BlockStack>
    </Card>
  );
}

const round = (n: number | null, digits = 3) => (n === null ? '—' : n.toFixed(digits));
// At a limiting model the parameters that ran to 0 or infinity are null and the note names the limit instead.
const symbols: Record<string, string> = { alpha: 'α', beta: 'β' };
const purchaseParameters = (parameters: { name: string; value: number | null; standardError: number | null }[] | null) =>
  (parameters ?? []).filter((p) => p.value !== null)
    .map((p) => `${symbols[p.name] ?? p.name} ${round(p.value)}${p.standardError !== null ? ` (± ${round(p.standardError)})` : ''}, `).join('');
const spendParameters = (spend: { p: number | null; q: number | null; gamma: number | null }) =>
  ([['p', spend.p], ['q', spend.q], ['γ', spend.gamma]] as const).filter(([, value]) => value !== null).map(([name, value]) => `${name} ${round(value)}, `).join('');
const forecast = (f: { expected: number; lower: number; upper: number }) =>
  `${formatNumber(Math.round(f.expected))} (80 % interval ${formatNumber(Math.round(f.lower))}–${formatNumber(Math.round(f.upper))})`;

function AboutNumbers({ model }: { model: ModelStatus | null }) {
  const [open, setOpen] = useState(false);
  const fit = model?.fit;
  return (
    <Card>
      <BlockStack gap="200">
        <Box>
          <Button variant="plain" onClick={() => setOpen((o) => !o)} ariaExpanded={open} ariaControls="about-numbers" disclosure={open ? 'up' : 'down'}>
            About these numbers
          </Button>
        </Box>
        <Collapsible id="about-numbers" open={open}>
          <BlockStack gap="300">
            {!model ? <SkeletonBodyText lines={3} /> : !fit ? <Text as="p">{model.message}</Text> : (
              <Text as="p">
                {`Fitted on ${formatDate(fit.dataThrough)} on ${formatNumber(fit.customers)} customers with orders (${formatNumber(fit.repeatCustomers)} bought on more than one day). `}
                {`Refitted every week and after each full sync.`}
              </Text>
            )}
            <List>
              <List.Item>
                <b>Churn risk</b> is the chance the customer is still buying from you (P(alive), from {fit?.purchases.model ?? 'a buy-till-you-die model'}:
                MBG/NBD, Batislam and others, 2007, or Pareto/NBD, Schmittlein and others, 1987).
                While a customer is active they buy at their own steady rate; after each purchase there is a chance they quietly stop. Both vary from
                customer to customer, and the model learns how from all your customers' order days. A customer who used to buy often and has been
                silent long is likely gone; one who buys rarely is not, after the same silence.
                {model && ` High below ${formatPercent(model.churnRisks[0].maxAlive ?? 0)}, medium to ${formatPercent(model.churnRisks[1].maxAlive ?? 0)}, low above.`}
                {' '}Customers with a single order get a chance too: how likely someone who bought once is still a customer after this long.
              </List.Item>
              <List.Item>
                <b>Next order expected</b> is the last order date plus the customer's expected time between orders if still active: their own
                orders blended with the shop's typical rate ((r + repeat orders) ÷ (α + weeks since first order) orders a week).
              </List.Item>
              <List.Item>
                <b>Overdue</b> is the time since the last order divided by the customer's usual gap (the median gap between their own orders):
                2.0× means twice as long as usual. In "own cycle" mode a customer is inactive from
                {model ? ` ${model.personalOverdueFactor}× overdue and at least ${model.personalMinimumDays} days away` : ' twice their usual gap'}.
              </List.Item>
              <List.Item>
                <b>12-month value</b> is the expected number of orders in each of the next 12 months (from the purchase model) times the
                expected spend per order (the Gamma-Gamma model: the customer's average repeat order, weighted toward the shop's average
                when they have few orders, unless your orders show one of its limits, named below), discounted 1 % a month. In your shop's currency.
              </List.Item>
              <List.Item>
                <b>RFM</b> scores recency, frequency and spend from 1 to 5 by quintile within your shop (555 is best) and names the segment
                from a fixed table.
              </List.Item>
            </List>
            {fit?.purchases.choice && <Text as="p">{`Why ${fit.purchases.model}: ${fit.purchases.choice}`}</Text>}
            {fit?.purchases.returningIn4Weeks && fit.purchases.returningIn13Weeks && (
              <Text as="p">
                {`Customers expected to order again: ${forecast(fit.purchases.returningIn4Weeks)} in the next 4 weeks, `}
                {`${forecast(fit.purchases.returningIn13Weeks)} in the next 13. `}
                {`The interval holds both the chance of who orders and how precisely your orders pin the model down (its parameters drawn 200 times from their standard errors).`}
              </Text>
            )}
            {fit && (
              <Text as="p" variant="bodySm" tone="subdued">
                {fit.purchases.logLikelihood !== null
                  ? `Purchase model ${fit.purchases.model} (weeks; ± standard errors): ${purchaseParameters(fit.purchases.parameters)}log-likelihood ${round(fit.purchases.logLikelihood, 1)}. ${fit.purchases.note ?? ''} `
                  : `Purchase model not fitted: ${fit.purchases.note} `}
                {fit.spend.averageOrderValue !== null
                  ? `Spend model: ${spendParameters(fit.spend)}average order ${round(fit.spend.averageOrderValue, 2)}. ${fit.spend.note ?? ''}`
                  : `Spend model not fitted: ${fit.spend.note}`}
              </Text>
            )}
            {fit && <TrackRecordSection trackRecord={model.trackRecord} />}
          </BlockStack>
        </Collapsible>
      </BlockStack>
    </Card>
  );
}
