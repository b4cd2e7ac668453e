// The report API, called with a fresh Shopify session token on every request (App Bridge's shopify.idToken()).

export interface SegmentInfo { segment: string; priority: number; key: string; title: string; suggestedAction: string }
export interface WindowInfo { window: string; key: string; title: string; minWeeks: number; maxWeeks: number | null; advice: string }
export interface ChurnRiskInfo { risk: string; key: string; title: string; minAlive: number; maxAlive: number | null }
export interface RfmSegmentInfo { segment: string; key: string; title: string; description: string }
/** What to do with one segment or list: the steps in order, and the offer sized by the weeks away (one home: WinBackPlaybooks.cs). */
export interface Playbook { key: string; title: string; goal: string; steps: { action: string; detail: string }[]; offer: string }

export interface ReportContext {
  shopDomain: string;
  shopName: string | null;
  currencyCode: string;
  timezone: string;
  today: string;
  thresholdWeeks: number;
  highValueLine: number;
  segments: SegmentInfo[];
  windows: WindowInfo[];
  churnRisks: ChurnRiskInfo[];
  rfmSegments: RfmSegmentInfo[];
  /** The at-risk list takes recent buyers whose chance of still being a customer is below this line. */
  atRiskAliveLine: number;
  playbooks: Playbook[];
  /** The table columns the shop chose to show (or the default set), by key. */
  columns: string[];
}

export interface ReportCustomer {
  id: number;
  name: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  emailSubscribed: boolean;
  lastOrderDate: string | null;
  weeksSinceLastOrder: number | null;
  ordersCount: number;
  totalSpent: number;
  highValue: boolean;
  segment: string | null;
  segmentPriority: number | null;
  customerSince: string;
  probabilityAlive: number | null;
  churnRisk: string | null;
  expectedNextOrderDate: string | null;
  overdue: number | null;
  /** The day the customer is (or will be) overdue by their own cycle; the "Overdue" sort puts the earliest first. */
  overdueSince: string | null;
  predictedValue: number | null;
  rfmSegment: string | null;
  rfmScore: string | null;
  /** Why a customer who ordered within the threshold is at risk, one sentence each (empty for everyone else). */
  atRiskReasons: string[];
}

export interface RfmGroup { key: string; title: string; description: string; customers: number; totalSpent: number; movedIn: number | null; movedOut: number | null; listQuery: string }
export interface RfmOverview {
  customers: number;
  totalSpent: number;
  refittedOn: string | null;
  comparedWith: string | null;
  moved: number | null;
  groups: RfmGroup[];
  explanation: string;
}

export interface CustomerPage {
  customers: ReportCustomer[];
  totalCount: number;
  nextCursor: string | null;
  pageSize: number;
  currencyCode: string;
}

export interface InactiveSummary {
  customersWithOrders: number;
  customersWithoutOrders: number;
  inactive: number;
  inactiveShare: number;
  wentInactiveThisWeek: number;
  revenueAtStake: number;
  segments: { key: string; priority: number; title: string; suggestedAction: string; customers: number; totalSpent: number }[];
  weeksSinceLastOrder: { weeks: number; customers: number }[];
  retentionHistory: { weekStart: string; active: number; inactive: number }[];
  retentionTrend: RetentionTrend | null;
  dataWindow: DataWindow;
}

/** Which orders WinBack sees: all of them, or (without Shopify's read_all_orders) only those since a date. */
export interface DataWindow {
  allOrders: boolean; ordersSince: string | null; longestVisibleWeeks: number | null;
  missing: string | null; consequence: string | null; howToAsk: string | null;
}

/** How active and inactive customers moved over the last weeks, computed by the server with the sentence to show. */
export interface RetentionTrend {
  weeks: number; since: string; activeThen: number; activeNow: number; inactiveThen: number; inactiveNow: number;
  activeGrowth: number | null; inactiveGrowth: number | null; warning: boolean; sentence: string;
}

export interface ResourceProgress {
  resource: string;
  status: string;
  objectsDone: number;
  objectsExpected: number | null;
  objectsPerSecond: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

export interface SavedView { id: number; name: string; query: string }

export interface ShopifyTagsStatus {
  enabled: boolean; accessGranted: boolean; taggedCustomers: number; lastRunAt: string | null; lastError: string | null; scope: string;
  tags: { tag: string; segment: string }[];
}

export interface RetentionStatus { months: number | null; suggestedMonths: number; minMonths: number; maxMonths: number; monthsCounted: number; customersBeyond: number }

export interface Forecast { expected: number; lower: number; upper: number }

export interface ModelStatus {
  fit: {
    fittedAt: string; dataThrough: string; customers: number; repeatCustomers: number; nextRefitAfter: string;
    purchases: {
      r: number | null; alpha: number | null; a: number | null; b: number | null; logLikelihood: number | null; note: string | null;
      /** The model that scores the shop (MBG/NBD or Pareto/NBD) and why it was chosen. */
      model: string | null; choice: string | null;
      parameters: { name: string; value: number | null; standardError: number | null }[] | null;
      /** Customers expected to order again in the next 4 and 13 weeks, with 80 % intervals. */
      returningIn4Weeks: Forecast | null; returningIn13Weeks: Forecast | null;
    };
    /** The spend model: at a limit the parameters it leaves unestimated are null and the note names the limit. */
    spend: { p: number | null; q: number | null; gamma: number | null; averageOrderValue: number | null; note: string | null };
  } | null;
  message: string | null;
  personalOverdueFactor: number;
  personalMinimumDays: number;
  churnRisks: ChurnRiskInfo[];
  /** Null until the first refit has checked itself on the shop's past. */
  trackRecord: { record: TrackRecord | null; explanation: string | null; history: TrackRecordPoint[] } | null;
}

/** Customers given a chance of ordering again between from and to: how many, their mean chance and the share who did. */
export interface CalibrationBand { from: number; to: number; customers: number; meanPredicted: number; observedShare: number }
/** One forecast of "orders again in the holdout", judged: Brier score (0 is perfect) and AUC of its ranking (null when all or none came back). */
export interface ReturnForecast { name: string; brierScore: number; auc: number | null; deciles: CalibrationBand[]; chanceBands: CalibrationBand[] }
/** Customers with this many repeat purchases before the holdout (label "7+" with andMore), and their purchases in it. */
export interface PastPurchasesGroup {
  frequency: number; andMore: boolean; customers: number; predictedPurchases: number; actualPurchases: number; label: string;
  predictedPerCustomer: number; actualPerCustomer: number;
}
/** WinBack.Analytics.TrackRecord: the model fitted up to calibrationEnd against what customers did until holdoutEnd. */
export interface TrackRecord {
  calibrationEnd: string; holdoutEnd: string; modelName: string; holdoutWeeks: number; customers: number; returnedCustomers: number;
  predictedPurchases: number; actualPurchases: number; byPastPurchases: PastPurchasesGroup[]; model: ReturnForecast;
  weeksSinceLastOrder: ReturnForecast; ruleWindowWeeks: number; calibrationSentence: string; rankingSentence: string;
}
/** One refit's check, oldest first in the history. */
export interface TrackRecordPoint { holdoutEnd: string; predictedPurchases: number | null; actualPurchases: number | null; modelAuc: number | null; ruleAuc: number | null }

export interface OutcomeWindow { days: number; listed: number; cameBack: number; revenue: number; rate: number | null }
export interface OutcomeRow { segment: string | null; listed: number; cameBackSoFar: number; revenueSoFar: number; windows: OutcomeWindow[] }
export interface OutcomeReport { lookbackDays: number; all: OutcomeRow; segments: OutcomeRow[]; lift: LiftReport }

/** One group's listings old enough for a window. */
export interface GroupOutcome { listed: number; cameBack: number; revenue: number; rate: number | null; revenuePerCustomer: number | null }
/** Contacted minus control, with its 95 % interval (margin is the ± half-width). */
export interface Difference { estimate: number; lower: number; upper: number; margin: number }
export interface LiftWindow {
  days: number; contacted: GroupOutcome; control: GroupOutcome; rateDifference: Difference | null; revenueDifference: Difference | null; tooSmall: string | null;
}
export interface LiftRow { segment: string | null; windows: LiftWindow[] }
export interface LiftReport {
  controlGroupOn: boolean; controlPercent: number; whyControlGroup: string; method: string; headline: string; headlineDays: number | null;
  all: LiftRow; segments: LiftRow[];
}

/** A listed customer who ordered again, with the listing and the first order after it. */
export interface CameBackCustomer {
  customerId: number; name: string; email: string | null; segment: string; listedAt: string; channels: string[]; control: boolean;
  cameBackAt: string; daysAfterListing: number; orderName: string; orderTotal: number; products: string[];
}
export interface CameBackPage { customers: CameBackCustomer[]; totalCount: number; page: number; pageSize: number }

export interface ControlGroupSettings { on: boolean; percent: number; why: string; heldOutCustomers: number; listedCustomers: number; lookbackDays: number }

export interface ProductReflection {
  productId: number; title: string; inactiveCustomers: number; activeCustomers: number; inactiveShare: number; activeShare: number; lift: number;
}
export interface ProductReflectionReport { inactiveCustomers: number; activeCustomers: number; minimumInactiveBuyers: number; products: ProductReflection[] }

export interface Settings { inactivityThresholdWeeks: number; highValueRule: 'percentile' | 'amount'; highValuePercentile: number; highValueAmount: number | null }
export interface SettingsPage {
  settings: Settings;
  currencyCode: string;
  suggestion: { gapDays: number | null; percentile: number; repeatCustomers: number; suggestedThresholdWeeks: number | null; explanation: string };
}
export interface SettingsPreview { inactiveCustomers: number; customersWithOrders: number; highValueCustomers: number; highValueLine: number }

export interface DigestSettings { enabled: boolean; recipients: string[]; day: string; hour: number; attachCsv: boolean; alertsEnabled: boolean }
export interface ScheduledReport {
  id: number; viewId: number; viewName: string; frequency: string; day: string; hour: number; recipients: string[]; lastError: string | null; nextAt: string | null;
}
/** One email of the outbox: Sending, Sent, Retrying (until retryingUntil) or Abandoned, with what went wrong. */
export interface Delivery {
  kind: string; period: string; status: 'Sending' | 'Sent' | 'Retrying' | 'Abandoned'; sentAt: string | null; recipients: string[];
  attempts: number; problem: string | null; nextAttemptAt: string | null; retryingUntil: string | null;
}
export interface DigestPage {
  settings: DigestSettings;
  digest: Delivery | null;
  lastSentDigest: Delivery | null;
  nextDigestAt: string | null;
  recent: Delivery[];
}

export interface SheetSync {
  id: number; spreadsheetId: string; tab: string; viewId: number | null; viewName: string | null; frequency: string;
  lastRunAt: string | null; lastSuccessAt: string | null; rowsWritten: number; lastError: string | null; paused: boolean; nextRunAt: string | null;
  verified: boolean; verificationCode: string | null; verificationCodeExpiresAt: string | null;
}
export interface SheetsPage { serviceAccountEmail: string | null; verificationTab: string; verificationCell: string; syncs: SheetSync[] }

/** A customers/data_request: the file the merchant downloads and sends to the customer by respondBy. */
export interface DataRequest { id: number; customerId: number; requestedAt: string; respondBy: string; downloadedAt: string | null }

/** A failed call, with the sentence to show the merchant and, for a 400, the message per parameter. */
export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly errors: Record<string, string[]> = {}) {
    super(message);
  }
}

/** A call with a fresh session token, retried once when Shopify's contract asks; a failure is an ApiError in words. */
async function authorizedFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const send = async () => {
    const token = await shopify.idToken();
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${token}`);
    headers.set('Accept', 'application/json');
    if (init.body) headers.set('Content-Type', 'application/json');
    return fetch(path, { ...init, headers });
  };
  let response = await send();
  // Shopify's contract: a 401 with this header means "get a fresh session token and try once more".
  if (response.status === 401 && response.headers.get('X-Shopify-Retry-Invalid-Session-Request') === '1') response = await send();
  if (!response.ok) {
    let message = 'WinBack could not load this. Try again in a moment.';
    let errors: Record<string, string[]> = {};
    try {
      const problem = await response.json();
      message = problem.detail ?? problem.title ?? message;
      errors = problem.errors ?? {};
    } catch {
      // Not problem details: keep the general sentence.
    }
    if (response.status === 401) message = 'Your session has ended. Reload WinBack from your Shopify admin.';
    throw new ApiError(message, response.status, errors);
  }
  return response;
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await authorizedFetch(path, init);
  // 204, and a 202 (a sync queued), have no body to parse.
  const body = await response.text();
  return (body ? JSON.parse(body) : undefined) as T;
}

/**
 * Saves a file the API serves. A plain link would carry no session token, so the file is fetched with one and handed to
 * the browser as a blob, under the name the server gives.
 */
export async function downloadFile(path: string, fallbackName: string): Promise<void> {
  const response = await authorizedFetch(path);
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const name = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1] ?? /filename="?([^";]+)"?/i.exec(disposition)?.[1];
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name ? decodeURIComponent(name) : fallbackName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const formatMoney = (amount: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: amount >= 1000 ? 0 : 2 }).format(amount);

export const formatNumber = (n: number) => new Intl.NumberFormat().format(n);

/** "1 customer", "2 customers": a count with its noun in the right number. */
export const countOf = (n: number, singular: string, plural = `${singular}s`) => `${formatNumber(n)} ${n === 1 ? singular : plural}`;

export const formatPercent = (share: number, digits = 0) =>
  new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: digits }).format(share);

/** An instant from the API, as a date in the shop's timezone. */
export const formatDay = (iso: string, timezone: string) =>
  new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: timezone }).format(new Date(iso));

/** A local date from the API (yyyy-mm-dd, already in the shop's timezone) shown without any timezone shift. */
export const formatDate = (date: string | null) =>
  date ? new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`)) : '—';

/** An instant as the merchant reads it: in the shop's timezone (the settings sections' "last run", "next send"). */
export const formatDateTime = (iso: string, timezone: string, dateStyle: 'medium' | 'full' = 'medium') =>
  new Intl.DateTimeFormat(undefined, { dateStyle, timeStyle: 'short', timeZone: timezone }).format(new Date(iso));
