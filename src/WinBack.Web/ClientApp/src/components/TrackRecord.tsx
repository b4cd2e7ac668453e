import { BlockStack, DataTable, InlineGrid, InlineStack, Text } from '@shopify/polaris';
import {
  formatDate, formatNumber, formatPercent, type CalibrationBand, type ModelStatus, type PastPurchasesGroup, type TrackRecord, type TrackRecordPoint,
} from '../api';

// The retention chart's two series colours (polaris-viz's light theme), so the report's charts read alike.
const predictedColor = '#13ACF0';
const actualColor = '#6A42E9';
const axisText = { fontSize: 12, fill: 'var(--p-color-text-secondary)' } as const;

const weeks = (n: number) => `${formatNumber(Math.round(n * 10) / 10)} weeks`;
const perCustomer = (n: number) => new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(n);
const score = (n: number | null) => (n === null ? '—' : formatPercent(n));

/** "under 20%", "20–40%", "60% or more": a band of the chance we gave. */
const bandLabel = (b: CalibrationBand) =>
  b.from <= 0 ? `under ${formatPercent(b.to)}` : b.to >= 1 ? `${formatPercent(b.from)} or more` : `${Math.round(100 * b.from)}–${formatPercent(b.to)}`;

/** In "About these numbers": how the model fitted some weeks ago did since, beside the plain weeks-since-last-order rule. */
export function TrackRecordSection({ trackRecord }: { trackRecord: ModelStatus['trackRecord'] }) {
  const record = trackRecord?.record;
  return (
    <section aria-labelledby="track-record">
      <BlockStack gap="300">
        <Text as="h3" variant="headingSm" id="track-record">Track record</Text>
        {!record ? (
          <Text as="p" tone="subdued">
            {trackRecord?.explanation ?? 'Each weekly refit checks the model against what your customers did since; the first check comes with the next refit.'}
          </Text>
        ) : (
          <>
            <Text as="p">
              {`We fitted the model to your orders up to ${formatDate(record.calibrationEnd)} and compared it with what your customers did in the ` +
                `${weeks(record.holdoutWeeks)} since.`}
            </Text>
            <Text as="p">{record.calibrationSentence}</Text>
            <Text as="p">{record.rankingSentence}</Text>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
              <PurchasesByPastPurchases record={record} />
              <BlockStack gap="300">
                <ChanceBands record={record} />
                <ModelBesideRule record={record} />
              </BlockStack>
            </InlineGrid>
            <RecordOverTime history={trackRecord?.history ?? []} />
          </>
        )}
      </BlockStack>
    </section>
  );
}

function Swatch({ color, label }: { color: string; label: string }) {
  return (
    <InlineStack gap="100" blockAlign="center">
      <span aria-hidden style={{ display: 'inline-block', width: 12, height: 12, borderRadius: 2, background: color }} />
      <Text as="span" variant="bodySm">{label}</Text>
    </InlineStack>
  );
}

function PurchasesByPastPurchases({ record }: { record: TrackRecord }) {
  const upTo = formatDate(record.calibrationEnd);
  return (
    <BlockStack gap="200">
      <Text as="h4" variant="headingSm">{`Repeat purchases per customer in the ${weeks(record.holdoutWeeks)} since, predicted and actual`}</Text>
      <InlineStack gap="300">
        <Swatch color={predictedColor} label="Predicted" />
        <Swatch color={actualColor} label="Actual" />
      </InlineStack>
      <GroupedBars
        groups={record.byPastPurchases}
        axisTitle={`Repeat purchases up to ${upTo}`}
        label={`Repeat purchases per customer in the ${weeks(record.holdoutWeeks)} after ${upTo}, predicted and actual, by repeat purchases up to then: ` +
          record.byPastPurchases.map((g) => `${g.label}: ${perCustomer(g.predictedPerCustomer)} predicted, ${perCustomer(g.actualPerCustomer)} actual`).join('; ')}
      />
      <Text as="p">
        {`Predicted ${formatNumber(Math.round(record.predictedPurchases))} repeat purchases, actual ${formatNumber(record.actualPurchases)}, ` +
          `from ${formatNumber(record.customers)} customers.`}
      </Text>
      <Text as="p" variant="bodySm" tone="subdued">
        A purchase is a day with an order. Customers are grouped by how many repeat purchases they had made; 0 means they had bought on one day only.
      </Text>
    </BlockStack>
  );
}

const chart = { width: 560, height: 230, left: 40, right: 8, top: 10, bottom: 42 };

/** The smallest of 1, 2, 4, 5, 10 × a power of ten at or above the largest value, so that it and its half read as round numbers. */
const axisTop = (max: number) => {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 4, 5, 10].map((m) => m * power).find((top) => top >= max)!;
};

/** Two bars per group (predicted, actual); each group's tooltip says its customers and both values. */
function GroupedBars({ groups, axisTitle, label }: { groups: PastPurchasesGroup[]; axisTitle: string; label: string }) {
  const plotWidth = chart.width - chart.left - chart.right;
  const base = chart.height - chart.bottom;
  const top = axisTop(Math.max(...groups.flatMap((g) => [g.predictedPerCustomer, g.actualPerCustomer])));
  const y = (v: number) => base - (base - chart.top) * (v / top);
  const slot = plotWidth / groups.length;
  const bar = Math.min(24, slot * 0.36);
  const rect = (x: number, value: number, color: string) => <rect x={x} y={y(value)} width={bar} height={base - y(value)} fill={color} rx={2} />;
  return (
    <svg role="img" aria-label={label} viewBox={`0 0 ${chart.width} ${chart.height}`} width="100%" style={{ display: 'block', maxWidth: chart.width }}>
      {[0, top / 2, top].map((tick) => (
        <g key={tick}>
          <line x1={chart.left} x2={chart.width - chart.right} y1={y(tick)} y2={y(tick)} stroke="var(--p-color-border)" />
          <text x={chart.left - 6} y={y(tick)} textAnchor="end" dominantBaseline="middle" {...axisText}>{perCustomer(tick)}</text>
        </g>
      ))}
      {groups.map((g, i) => {
        const centre = chart.left + slot * (i + 0.5);
        return (
          <g key={g.label}>
            <title>
              {`${g.label} repeat purchases before (${formatNumber(g.customers)} customers): ` +
                `predicted ${perCustomer(g.predictedPerCustomer)}, actual ${perCustomer(g.actualPerCustomer)} each`}
            </title>
            {rect(centre - bar - 1, g.predictedPerCustomer, predictedColor)}
            {rect(centre + 1, g.actualPerCustomer, actualColor)}
            <text x={centre} y={base + 16} textAnchor="middle" {...axisText}>{g.label}</text>
          </g>
        );
      })}
      <text x={chart.left + plotWidth / 2} y={chart.height - 4} textAnchor="middle" {...axisText}>{axisTitle}</text>
    </svg>
  );
}

function ChanceBands({ record }: { record: TrackRecord }) {
  return (
    <BlockStack gap="200">
      <Text as="h4" variant="headingSm">{`Chance we gave of ordering within ${weeks(record.holdoutWeeks)}, and who did`}</Text>
      <DataTable
        increasedTableDensity
        columnContentTypes={['text', 'numeric', 'numeric', 'numeric']}
        headings={['Chance we gave', 'Customers', 'On average', 'Ordered']}
        rows={record.model.chanceBands.map((b) => [
          bandLabel(b),
          formatNumber(b.customers),
          b.customers === 0 ? '—' : formatPercent(b.meanPredicted),
          b.customers === 0 ? '—' : formatPercent(b.observedShare),
        ])}
      />
    </BlockStack>
  );
}

function ModelBesideRule({ record }: { record: TrackRecord }) {
  const row = (name: string, f: TrackRecord['model']) => [name, score(f.auc), f.brierScore.toFixed(3)];
  return (
    <BlockStack gap="200">
      <DataTable
        increasedTableDensity
        columnContentTypes={['text', 'numeric', 'numeric']}
        headings={['Who orders again, forecast by', 'Ranking (AUC)', 'Brier score']}
        rows={[row(`Our model (${record.modelName})`, record.model), row('Weeks since last order alone', record.weeksSinceLastOrder)]}
      />
      <Text as="p" variant="bodySm" tone="subdued">
        {'Ranking (AUC): how often a customer who came back was ranked above one who did not; 50% is a coin toss. ' +
          'Brier score: the average squared gap between the chance given and what happened; 0 is perfect, lower is better. ' +
          `The rule's chance for each number of weeks since the last order is the share who came back within ${weeks(record.ruleWindowWeeks)}, ` +
          `learnt on your orders before ${formatDate(record.calibrationEnd)}.`}
      </Text>
    </BlockStack>
  );
}

const spark = { width: 160, height: 36, pad: 3 };

/** From two checks on (one per refit): the model's and the rule's ranking at each, as a line of text and a sparkline. */
function RecordOverTime({ history }: { history: TrackRecordPoint[] }) {
  const points = history.filter((p) => p.modelAuc !== null);
  if (points.length < 2) return null;
  const [first, last] = [points[0], points[points.length - 1]];
  const values = points.flatMap((p) => [p.modelAuc, p.ruleAuc]).filter((v): v is number => v !== null);
  const [low, high] = [Math.min(0.5, ...values), Math.max(...values)];
  const x = (i: number) => spark.pad + (i * (spark.width - 2 * spark.pad)) / (points.length - 1);
  const y = (v: number) => spark.height - spark.pad - ((spark.height - 2 * spark.pad) * (v - low)) / (high - low || 1);
  const line = (value: (p: TrackRecordPoint) => number | null) =>
    points.flatMap((p, i) => (value(p) === null ? [] : [`${x(i).toFixed(1)},${y(value(p)!).toFixed(1)}`])).join(' ');
  const text = `${formatNumber(points.length)} checks from ${formatDate(first.holdoutEnd)} to ${formatDate(last.holdoutEnd)}: our ranking put a ` +
    `customer who came back above one who did not ${score(first.modelAuc)} of the time at the first and ${score(last.modelAuc)} at the latest; ` +
    `weeks since last order alone did ${score(first.ruleAuc)} and ${score(last.ruleAuc)}.`;
  return (
    <BlockStack gap="100">
      <Text as="h4" variant="headingSm">Track record over time</Text>
      <InlineStack gap="300" blockAlign="center" wrap={false}>
        <svg role="img" aria-label="Ranking (AUC) at each check: our model (solid line) and weeks since last order alone (dashed)"
          viewBox={`0 0 ${spark.width} ${spark.height}`} width={spark.width} height={spark.height} style={{ flexShrink: 0 }}>
          <polyline points={line((p) => p.ruleAuc)} fill="none" stroke="var(--p-color-text-secondary)" strokeWidth={1.5} strokeDasharray="3 3" />
          <polyline points={line((p) => p.modelAuc)} fill="none" stroke={actualColor} strokeWidth={2} />
        </svg>
        <Text as="p" variant="bodySm">{text}</Text>
      </InlineStack>
    </BlockStack>
  );
}
