import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import {
  Badge, Banner, BlockStack, Button, Card, ChoiceList, EmptyState, Filters, IndexTable, InlineStack, Pagination, Popover, Select,
  SkeletonBodyText, Text, TextField,
} from '@shopify/polaris';
import {
  api, ApiError, countOf, formatDate, formatMoney, formatNumber, formatPercent, type CustomerPage, type InactiveSummary, type ReportContext, type ReportCustomer,
  type SavedView,
} from '../api';
import { filterQuery, readParams, writeParams } from '../url';
import { Summary, Trends } from '../components/Summary';
import { PlaybookDisclosure } from '../components/PlaybookSteps';
import { Insights } from '../components/Insights';
import { SavedViewsManager } from '../components/SavedViewsManager';
import { ColumnChooser } from '../components/ColumnChooser';

/** A column of the table: its key (Reports/ReportColumns.cs), the sort it asks for, and whether its arrow reads that sort the other way round. */
type Column = { key: string; title: string; sort: string | null; reversed?: boolean };

const columns: Column[] = [
  { key: 'customer', title: 'Customer', sort: 'name' },
  { key: 'email', title: 'Email', sort: 'email' },
  { key: 'lastOrder', title: 'Last order', sort: 'lastOrder' },
  // "Weeks away" is the last order date read the other way round.
  { key: 'weeksAway', title: 'Weeks away', sort: 'lastOrder', reversed: true },
  { key: 'orders', title: 'Orders', sort: 'ordersCount' },
  { key: 'totalSpent', title: 'Total spent', sort: 'totalSpent' },
  { key: 'segment', title: 'Segment', sort: 'segment' },
  { key: 'churnRisk', title: 'Churn risk', sort: 'pAlive' },
  { key: 'overdue', title: 'Overdue', sort: 'overdue' },
  { key: 'nextOrder', title: 'Next order expected', sort: null },
  { key: 'predictedValue', title: '12-month value', sort: 'predictedValue' },
  { key: 'rfm', title: 'RFM', sort: null },
];
// Customers without orders have no order columns: when they signed up and whether they may be emailed.
const withoutOrdersColumns: Column[] = [
  { key: 'customer', title: 'Customer', sort: 'name' },
  { key: 'email', title: 'Email', sort: 'email' },
  { key: 'signedUp', title: 'Signed up', sort: 'signedUp' },
  { key: 'consent', title: 'Email marketing', sort: null },
];
/** A badge that may take two lines (the table's cells do not wrap by default), so the default columns fit a laptop. */
const Wrapping = ({ children }: { children: ReactNode }) => <div style={{ whiteSpace: 'normal', maxWidth: 150 }}>{children}</div>;
const numericColumns = new Set(['Weeks away', 'Orders', 'Total spent', 'Overdue', '12-month value']);
const defaultDescending = (sort: string) => ['totalSpent', 'ordersCount', 'overdue', 'predictedValue', 'signedUp'].includes(sort);
const priorityTone = ['critical', 'warning', 'attention', 'info'] as const;
const riskTone: Record<string, 'critical' | 'warning' | 'success'> = { high: 'critical', medium: 'warning', low: 'success' };

export type ListKind = 'inactive' | 'at-risk' | 'all' | 'without-orders';

const listNoun: Record<ListKind, [string, string]> = {
  inactive: ['inactive customer', 'inactive customers'],
  'at-risk': ['customer at risk', 'customers at risk'],
  all: ['customer', 'customers'],
  'without-orders': ['customer without orders', 'customers without orders'],
};

// The filters that do not describe a list's customers (the API refuses them for that list).
const hiddenFilters: Record<ListKind, string[]> = {
  inactive: ['signedUp'],
  'at-risk': ['mode', 'window', 'segment', 'signedUp'],
  all: ['mode', 'window', 'segment', 'signedUp'],
  'without-orders': ['mode', 'window', 'segment', 'value', 'risk', 'rfm'],
};

const signedUpDays = ['7', '30', '90', '365'];

/** The page tab that shows a list (the list of all customers is under the RFM overview). */
export const tabOf = (list: ListKind) => (list === 'all' ? 'rfm' : list);

/** The one customer list: inactive (past the threshold), at risk (recent buyers slipping), all customers with an order, or those without. */
export function InactiveReport({ context, importing = false, list = 'inactive' }: { context: ReportContext; importing?: boolean; list?: ListKind }) {
  const [params, setParams] = useState(readParams);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<CustomerPage | null>(null);
  // Which page the rows on screen are (0-based), set with the rows so the "26-50 of N" label never runs ahead of them.
  const [shownIndex, setShownIndex] = useState(0);
  const [summary, setSummary] = useState<InactiveSummary | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [views, setViews] = useState<SavedView[]>([]);
  const [saveOpen, setSaveOpen] = useState(false);
  const [viewName, setViewName] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [chosenColumns, setChosenColumns] = useState(context.columns);

  const filterPart = filterQuery(params);
  // The list kind travels with every request, export and saved view; the inactive list is the default and needs no key.
  const query = list === 'inactive' ? filterPart : [`list=${list}`, filterPart].filter(Boolean).join('&');
  const inactiveList = list === 'inactive';
  const withoutOrders = list === 'without-orders';
  // The at-risk list and customers without orders have a playbook of their own; the inactive list's are on its segments.
  const listPlaybook = context.playbooks.find((p) => p.key === list);
  const listColumns = columns.map((c) => (list === 'at-risk' && c.key === 'segment' ? { ...c, title: 'Why at risk', sort: null } : c));
  const shownColumns = withoutOrders ? withoutOrdersColumns : listColumns.filter((c) => chosenColumns.includes(c.key));
  const defaultSort = withoutOrders ? 'signedUp' : 'lastOrder';
  const cursor = cursors[cursors.length - 1];
  const pageIndex = cursors.length - 1;

  const update = useCallback((changes: Record<string, string | null>) => {
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [key, value] of Object.entries(changes)) {
        if (value === null || value === '') next.delete(key);
        else next.set(key, value);
      }
      writeParams(next);
      return next;
    });
    setCursors([null]);
  }, []);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    api<CustomerPage>(`/api/reports/inactive?${query}${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`)
      .then((p) => { if (!cancelled) { setPage(p); setShownIndex(pageIndex); setError(null); } })
      .catch((e: ApiError) => { if (!cancelled) { setError(e); setPage(null); } })
      .finally(() => { if (!cancelled) setLoading(false); });
    return () => { cancelled = true; };
  }, [query, cursor, pageIndex]);

  useEffect(() => {
    if (inactiveList) api<InactiveSummary>('/api/reports/inactive/summary').then(setSummary).catch((e: ApiError) => setError(e));
    // Each list offers its own saved views.
    api<SavedView[]>('/api/views').then((all) => setViews(all.filter((v) => (new URLSearchParams(v.query).get('list') ?? 'inactive') === list))).catch(() => setViews([]));
  }, [inactiveList, list]);

  // Search as the merchant types, without a request per key stroke.
  useEffect(() => {
    if (search === (params.get('q') ?? '')) return;
    const timer = window.setTimeout(() => update({ q: search }), 350);
    return () => window.clearTimeout(timer);
  }, [search, params, update]);

  const money = (n: number) => formatMoney(n, context.currencyCode);
  const sort = params.get('sort') ?? defaultSort;
  const descending = params.get('direction') ? params.get('direction') === 'desc' : defaultDescending(sort);
  const segments = (params.get('segment') ?? '').split(',').filter(Boolean);
  const risks = (params.get('risk') ?? '').split(',').filter(Boolean);
  const rfm = (params.get('rfm') ?? '').split(',').filter(Boolean);
  const personal = params.get('mode') === 'personal';
  const windowKey = params.get('window');
  const adminHandle = context.shopDomain.split('.')[0];

  const onSort = (index: number, direction: 'ascending' | 'descending') => {
    const column = shownColumns[index];
    if (!column.sort) return;
    const wantDescending = column.reversed ? direction === 'ascending' : direction === 'descending';
    update({ sort: column.sort === defaultSort ? null : column.sort, direction: wantDescending === defaultDescending(column.sort) ? null : wantDescending ? 'desc' : 'asc' });
  };
  const sortColumnIndex = shownColumns.findIndex((c) => c.sort === sort);
  const sortDirection = descending ? 'descending' : 'ascending';

  const exportCsv = async () => {
    try {
      const link = await api<{ url: string }>(`/api/reports/inactive/export?${query}`, { method: 'POST' });
      const anchor = document.createElement('a');
      anchor.href = link.url;
      anchor.download = '';
      document.body.appendChild(anchor);
      anchor.click();
      anchor.remove();
    } catch (e) {
      setError(e as ApiError);
    }
  };

  const saveView = async () => {
    try {
      const saved = await api<SavedView>('/api/views', { method: 'PUT', body: JSON.stringify({ name: viewName, query }) });
      setViews((current) => [...current.filter((v) => v.name !== saved.name), saved].sort((a, b) => a.name.localeCompare(b.name)));
      setSaveOpen(false);
      setNotice(`Saved the view "${saved.name}". Scheduled reports and the Google Sheet can use it.`);
    } catch (e) {
      setError(e as ApiError);
    }
  };

  const openView = (id: string) => {
    const view = views.find((v) => String(v.id) === id);
    if (!view) return;
    const next = new URLSearchParams(view.query);
    next.delete('list');
    if (!inactiveList) next.set('tab', tabOf(list));
    writeParams(next);
    setParams(next);
    setSearch(next.get('q') ?? '');
    setCursors([null]);
  };

  const applied = [
    windowKey && { key: 'window', label: `Away: ${context.windows.find((w) => w.key === windowKey)?.title ?? windowKey}`, onRemove: () => update({ window: null }) },
    (params.get('minWeeks') || params.get('maxWeeks')) && {
      key: 'weeks', label: `Away: ${params.get('minWeeks') ?? context.thresholdWeeks}-${params.get('maxWeeks') ?? '∞'} weeks`, onRemove: () => update({ minWeeks: null, maxWeeks: null }),
    },
    segments.length > 0 && { key: 'segment', label: segments.map((s) => context.segments.find((x) => x.key === s)?.title ?? s).join(', '), onRemove: () => update({ segment: null }) },
    params.get('highValue') === 'true' && { key: 'highValue', label: 'High value only', onRemove: () => update({ highValue: null }) },
    params.get('minSpent') && { key: 'minSpent', label: `Spent at least ${money(Number(params.get('minSpent')))}`, onRemove: () => update({ minSpent: null }) },
    params.get('consent') && { key: 'consent', label: params.get('consent') === 'subscribed' ? 'Subscribed to email' : 'Not subscribed to email', onRemove: () => update({ consent: null }) },
    personal && { key: 'mode', label: 'Inactive by their own cycle', onRemove: () => update({ mode: null }) },
    risks.length > 0 && { key: 'risk', label: risks.map((r) => context.churnRisks.find((x) => x.key === r)?.title ?? r).join(', '), onRemove: () => update({ risk: null }) },
    rfm.length > 0 && { key: 'rfm', label: `RFM: ${rfm.map((r) => context.rfmSegments.find((x) => x.key === r)?.title ?? r).join(', ')}`, onRemove: () => update({ rfm: null }) },
    params.get('signedUpDays') && { key: 'signedUpDays', label: `Signed up in the last ${params.get('signedUpDays')} days`, onRemove: () => update({ signedUpDays: null }) },
    (params.get('signedUpFrom') || params.get('signedUpTo')) && {
      key: 'signedUpDates',
      label: `Signed up ${[params.get('signedUpFrom') && `from ${formatDate(params.get('signedUpFrom'))}`, params.get('signedUpTo') && `to ${formatDate(params.get('signedUpTo'))}`].filter(Boolean).join(' ')}`,
      onRemove: () => update({ signedUpFrom: null, signedUpTo: null }),
    },
  ].filter(Boolean) as { key: string; label: string; onRemove: () => void }[];

  const filters = [
    {
      key: 'mode', label: 'Inactive by', pinned: true,
      filter: (
        <ChoiceList title="Who counts as inactive" titleHidden selected={[personal ? 'personal' : 'fixed']}
          choices={[
            { label: `Away ${context.thresholdWeeks}+ weeks (your threshold)`, value: 'fixed' },
            { label: 'Overdue by their own cycle', value: 'personal', helpText: 'Away twice their usual time between orders (two weeks at least). Customers with one order keep your threshold.' },
          ]}
          onChange={([value]) => update(value === 'personal' ? { mode: 'personal', window: null, minWeeks: null, maxWeeks: null } : { mode: null })} />
      ),
    },
    {
      key: 'window', label: 'Time away', pinned: true, disabled: personal,
      filter: (
        <BlockStack gap="200">
          <ChoiceList title="Win-back window" titleHidden
            choices={context.windows.map((w) => ({ label: `${w.title}${w.key === 'optimal' ? ' (optimal)' : ''}`, value: w.key, helpText: w.advice }))}
            selected={windowKey ? [windowKey] : []} onChange={([value]) => update({ window: value, minWeeks: null, maxWeeks: null })} />
          <InlineStack gap="200">
            <TextField label="Min weeks" type="number" autoComplete="off" value={params.get('minWeeks') ?? ''} onChange={(v) => update({ minWeeks: v, window: null })} />
            <TextField label="Max weeks" type="number" autoComplete="off" value={params.get('maxWeeks') ?? ''} onChange={(v) => update({ maxWeeks: v, window: null })} />
          </InlineStack>
        </BlockStack>
      ),
    },
    {
      key: 'segment', label: 'Segment', pinned: true,
      filter: (
        <ChoiceList title="Segment" titleHidden allowMultiple selected={segments}
          choices={context.segments.map((s) => ({ label: `${s.priority}. ${s.title}`, value: s.key, helpText: s.suggestedAction }))}
          onChange={(values) => update({ segment: values.join(',') })} />
      ),
    },
    {
      key: 'value', label: 'Value', pinned: true,
      filter: (
        <BlockStack gap="200">
          <ChoiceList title="High value" titleHidden choices={[{ label: `High value only (spent ${money(context.highValueLine)} or more)`, value: 'true' }]}
            allowMultiple selected={params.get('highValue') === 'true' ? ['true'] : []} onChange={(v) => update({ highValue: v.includes('true') ? 'true' : null })} />
          <TextField label="Minimum total spent" type="number" prefix={context.currencyCode} autoComplete="off"
            value={params.get('minSpent') ?? ''} onChange={(v) => update({ minSpent: v })} />
        </BlockStack>
      ),
    },
    {
      key: 'risk', label: 'Churn risk', pinned: true,
      filter: (
        <ChoiceList title="Churn risk" titleHidden allowMultiple selected={risks}
          choices={context.churnRisks.map((r) => ({
            label: r.title,
            value: r.key,
            helpText: `Chance still a customer ${r.maxAlive === null ? `${formatPercent(r.minAlive)} or more` : `${formatPercent(r.minAlive)} to ${formatPercent(r.maxAlive)}`}`,
          }))}
          onChange={(values) => update({ risk: values.join(',') })} />
      ),
    },
    {
      key: 'rfm', label: 'RFM segment',
      filter: (
        <ChoiceList title="RFM segment" titleHidden allowMultiple selected={rfm}
          choices={context.rfmSegments.map((r) => ({ label: r.title, value: r.key, helpText: r.description }))}
          onChange={(values) => update({ rfm: values.join(',') })} />
      ),
    },
    {
      key: 'signedUp', label: 'Sign-up date', pinned: true,
      filter: (
        <BlockStack gap="200">
          <ChoiceList title="Signed up" titleHidden choices={signedUpDays.map((d) => ({ label: `In the last ${d} days`, value: d }))}
            selected={params.get('signedUpDays') ? [params.get('signedUpDays')!] : []} onChange={([value]) => update({ signedUpDays: value, signedUpFrom: null, signedUpTo: null })} />
          <InlineStack gap="200">
            <TextField label="From" type="date" autoComplete="off" value={params.get('signedUpFrom') ?? ''} onChange={(v) => update({ signedUpFrom: v, signedUpDays: null })} />
            <TextField label="To" type="date" autoComplete="off" value={params.get('signedUpTo') ?? ''} onChange={(v) => update({ signedUpTo: v, signedUpDays: null })} />
          </InlineStack>
        </BlockStack>
      ),
    },
    {
      key: 'consent', label: 'Email consent', pinned: withoutOrders,
      filter: (
        <ChoiceList title="Email consent" titleHidden selected={params.get('consent') ? [params.get('consent')!] : []}
          choices={[{ label: 'Subscribed to email marketing', value: 'subscribed' }, { label: 'Not subscribed', value: 'not-subscribed' }]}
          onChange={([value]) => update({ consent: value })} />
      ),
    },
  ];

  const listFilters = filters.filter((f) => !hiddenFilters[list].includes(f.key));

  // Each column's cell, by the column's key: the table shows the chosen ones in its own order.
  const cellsOf = (c: ReportCustomer): Record<string, ReactNode> => ({
    customer: <a href={`https://admin.shopify.com/store/${adminHandle}/customers/${c.id}`} target="_top" style={{ color: 'inherit', fontWeight: 600 }}>{c.name}</a>,
    email: withoutOrders ? c.email ?? '—' : <>{c.email ?? '—'}{c.emailSubscribed && <> <Badge tone="success" size="small">Subscribed</Badge></>}</>,
    signedUp: formatDate(c.customerSince),
    consent: c.emailSubscribed ? <Badge tone="success">Subscribed</Badge> : <Text as="span" tone="subdued">Not subscribed</Text>,
    lastOrder: formatDate(c.lastOrderDate),
    weeksAway: <Text as="p" alignment="end" numeric>{c.weeksSinceLastOrder}</Text>,
    orders: <Text as="p" alignment="end" numeric>{formatNumber(c.ordersCount)}</Text>,
    totalSpent: <Text as="p" alignment="end" numeric>{money(c.totalSpent)}</Text>,
    segment: list === 'at-risk'
      ? <BlockStack gap="050">{c.atRiskReasons.map((r) => <Text as="p" variant="bodySm" key={r}>{r}</Text>)}</BlockStack>
      : c.segmentPriority && <Wrapping><Badge tone={priorityTone[c.segmentPriority - 1]}>{context.segments.find((s) => s.key === c.segment)?.title ?? c.segment ?? ''}</Badge></Wrapping>,
    churnRisk: c.churnRisk && c.probabilityAlive !== null
      ? <Wrapping><Badge tone={riskTone[c.churnRisk]}>{`${context.churnRisks.find((r) => r.key === c.churnRisk)?.title.replace(' churn risk', '') ?? c.churnRisk} · ${formatPercent(c.probabilityAlive)} still active`}</Badge></Wrapping>
      : <Text as="span" tone="subdued">{c.ordersCount === 1 ? 'One order' : '—'}</Text>,
    overdue: <>
      <Text as="p" alignment="end" numeric>{c.overdue !== null ? `${c.overdue.toFixed(1)}×` : '—'}</Text>
      {c.overdueSince && <Text as="p" alignment="end" tone="subdued" variant="bodySm">{`from ${formatDate(c.overdueSince)}`}</Text>}
    </>,
    nextOrder: formatDate(c.expectedNextOrderDate),
    predictedValue: <Text as="p" alignment="end" numeric>{c.predictedValue !== null ? money(c.predictedValue) : '—'}</Text>,
    rfm: c.rfmSegment ? `${context.rfmSegments.find((r) => r.key === c.rfmSegment)?.title ?? c.rfmSegment} (${c.rfmScore})` : '—',
  });
  const rows = page?.customers.map((c, index) => {
    const cells = cellsOf(c);
    return (
      <IndexTable.Row id={String(c.id)} key={c.id} position={index}>
        {shownColumns.map((column) => <IndexTable.Cell key={column.key}>{cells[column.key]}</IndexTable.Cell>)}
      </IndexTable.Row>
    );
  });

  // Remembered for the shop: the next visit (and a colleague's) opens with the same columns.
  const chooseColumns = async (chosen: string[]) => {
    setChosenColumns(chosen);
    try {
      await api('/api/settings/columns', { method: 'PUT', body: JSON.stringify({ columns: chosen }) });
    } catch (e) {
      setError(e as ApiError);
    }
  };

  const first = shownIndex * (page?.pageSize ?? 50) + 1;
  const viewOptions = useMemo(() => [{ label: 'Saved views…', value: '' }, ...views.map((v) => ({ label: v.name, value: String(v.id) }))], [views]);

  return (
    <BlockStack gap="400">
      {notice && <Banner tone="success" onDismiss={() => setNotice(null)}><p>{notice}</p></Banner>}
      {error && (
        <Banner tone="critical" title="This view could not be shown" onDismiss={() => setError(null)}
          action={error.status === 400 ? { content: 'Clear filters', onAction: () => { writeParams(new URLSearchParams()); setParams(new URLSearchParams()); setSearch(''); setError(null); } } : undefined}>
          <p>{error.message}</p>
        </Banner>
      )}
      {list === 'at-risk' && (
        <Banner tone="info" title="Before they lapse">
          <BlockStack gap="200">
            <p>{`Customers who ordered in the last ${context.thresholdWeeks} weeks but are slipping: overdue by their own cycle (away twice their usual time between orders), a chance of still being a customer below ${formatPercent(context.atRiskAliveLine)}, or in the RFM groups At risk, Can't lose them or About to sleep. Each row says why. Reach them now, before they cross your threshold.`}</p>
            {listPlaybook && <PlaybookDisclosure playbook={listPlaybook} />}
          </BlockStack>
        </Banner>
      )}
      {withoutOrders && (
        <Banner tone="info" title="Why these customers need another approach">
          <BlockStack gap="200">
            <p>
              They created an account but never completed an order (cancelled and test orders do not count). A win-back offer speaks to
              someone who bought before; these customers respond better to a first-purchase incentive, such as a welcome discount or free shipping.
            </p>
            {listPlaybook && <PlaybookDisclosure playbook={listPlaybook} />}
          </BlockStack>
        </Banner>
      )}
      {!inactiveList ? null : summary ? <Summary summary={summary} context={context} importing={importing} onSegment={(key) => update({ segment: key })} /> : <Card><SkeletonBodyText lines={4} /></Card>}

      <Card padding="0">
          <div style={{ padding: '12px 16px' }}>
            <InlineStack align="space-between" blockAlign="center" gap="200">
              <Text as="h2" variant="headingMd">
                {page && !importing ? countOf(page.totalCount, listNoun[list][0], listNoun[list][1]) : listNoun[list][1].replace(/^./, (x) => x.toUpperCase())}
              </Text>
              <InlineStack gap="200" blockAlign="center">
                <Select label="Saved views" labelHidden options={viewOptions} value="" onChange={openView} />
                <SavedViewsManager views={views} onViews={setViews} />
                <Popover active={saveOpen} onClose={() => setSaveOpen(false)}
                  activator={<Button onClick={() => setSaveOpen((o) => !o)}>Save view</Button>}>
                  <div style={{ padding: 12, width: 280 }}>
                    <BlockStack gap="200">
                      <TextField label="View name" autoComplete="off" value={viewName} onChange={setViewName} placeholder="High value, 4-6 weeks" />
                      <Button variant="primary" onClick={saveView} disabled={viewName.trim() === ''}>Save</Button>
                    </BlockStack>
                  </div>
                </Popover>
                {!withoutOrders && <ColumnChooser columns={listColumns} chosen={chosenColumns} onChange={chooseColumns} />}
                <Button onClick={exportCsv} disabled={!page || page.totalCount === 0}>Export CSV</Button>
              </InlineStack>
            </InlineStack>
          </div>
          <Filters queryValue={search} queryPlaceholder="Search by name or email" filters={listFilters} appliedFilters={applied}
            onQueryChange={setSearch} onQueryClear={() => setSearch('')}
            onClearAll={() => { writeParams(new URLSearchParams(inactiveList ? {} : { tab: tabOf(list) })); setParams(new URLSearchParams()); setSearch(''); setCursors([null]); }} />
          {importing ? (
            <div style={{ padding: 16 }}>
              <BlockStack gap="200">
                <Text as="p" tone="subdued">Your inactive customers are listed here as soon as the import is done.</Text>
                <SkeletonBodyText lines={6} />
              </BlockStack>
            </div>
          ) : page && page.totalCount === 0 && !loading ? (
            <EmptyState heading={filterPart ? `No ${listNoun[list][1]} match these filters` : withoutOrders ? 'Every customer has ordered' : `No ${listNoun[list][1]}`} image="">
              <p>{filterPart ? 'Widen the filters or clear them to see everyone.' : list === 'at-risk'
                ? 'None of your recent buyers is slipping: nobody is overdue by their own cycle or below the line. WinBack checks again with every order and every weekly refit.'
                : withoutOrders ? 'Customers who sign up without buying will show up here.'
                : `Everyone who bought has ordered in the last ${context.thresholdWeeks} weeks. WinBack lists customers here as soon as they cross that line.`}</p>
            </EmptyState>
          ) : (
            <IndexTable
              resourceName={{ singular: 'customer', plural: 'customers' }}
              itemCount={page?.customers.length ?? 0}
              selectable={false}
              loading={loading}
              headings={shownColumns.map((c) => ({ title: c.title, alignment: numericColumns.has(c.title) ? 'end' : undefined })) as never}
              sortable={shownColumns.map((c) => c.sort !== null)}
              sortColumnIndex={sortColumnIndex}
              sortDirection={sortDirection}
              onSort={onSort}
            >
              {rows}
            </IndexTable>
          )}
          <div style={{ padding: '12px 16px' }}>
            <InlineStack align="space-between" blockAlign="center">
              <Select label="Per page" labelInline options={['25', '50', '100', '250']} value={params.get('pageSize') ?? '50'} onChange={(v) => update({ pageSize: v === '50' ? null : v })} />
              <Pagination
                hasPrevious={!loading && cursors.length > 1}
                onPrevious={() => setCursors((c) => c.slice(0, -1))}
                hasNext={!loading && !!page?.nextCursor}
                onNext={() => page?.nextCursor && setCursors((c) => [...c, page.nextCursor])}
                label={page && page.customers.length > 0 ? `${formatNumber(first)}-${formatNumber(first + page.customers.length - 1)} of ${formatNumber(page.totalCount)}` : ''}
              />
            </InlineStack>
          </div>
      </Card>
      {inactiveList && summary && <Trends summary={summary} context={context} importing={importing} />}
      {inactiveList && <Insights context={context} />}
    </BlockStack>
  );
}
