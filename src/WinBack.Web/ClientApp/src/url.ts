// The page's state lives in its URL, so a view can be bookmarked and shared. Shopify's signed launch parameters are
// dropped once used (they are single-use and would go stale); shop and host stay, as Shopify's own apps keep them.

const kept = ['shop', 'host'];
const launchOnly = ['hmac', 'id_token', 'session', 'timestamp', 'embedded', 'locale'];

export function readParams(): URLSearchParams {
  const params = new URLSearchParams(window.location.search);
  for (const key of launchOnly) params.delete(key);
  return params;
}

/** Replaces the page's own parameters (everything but shop and host) with the given ones. */
export function writeParams(next: URLSearchParams) {
  const current = new URLSearchParams(window.location.search);
  const url = new URLSearchParams();
  for (const key of kept) {
    const value = current.get(key);
    if (value) url.set(key, value);
  }
  next.forEach((value, key) => {
    if (!kept.includes(key) && !launchOnly.includes(key) && value !== '') url.set(key, value);
  });
  window.history.replaceState(null, '', `${window.location.pathname}?${url.toString()}`);
}

/** The filter part of the parameters: what the report API and saved views take (the list is the tab's, added by the page). */
export function filterQuery(params: URLSearchParams): string {
  const filter = new URLSearchParams();
  params.forEach((value, key) => {
    if (!kept.includes(key) && !['tab', 'list', 'after'].includes(key) && value !== '') filter.set(key, value);
  });
  return filter.toString();
}
