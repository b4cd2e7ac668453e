import { useCallback, useState } from 'react';
import { Banner } from '@shopify/polaris';
import { ApiError } from '../api';

export type SectionMessage = { tone: 'success' | 'critical' | 'warning'; text: string };

/**
 * The one sentence a settings section shows above its form: what an action did, or why it failed (the API's problem
 * details already say it in the merchant's words). `banner` is the message to render; `fail` takes any caught error.
 */
export function useSectionMessage() {
  const [message, setMessage] = useState<SectionMessage | null>(null);
  const succeed = useCallback((text: string) => setMessage({ tone: 'success', text }), []);
  const fail = useCallback((e: unknown, fallback = 'That did not work. Try again in a minute.') =>
    setMessage({ tone: 'critical', text: e instanceof ApiError ? e.message : fallback }), []);
  const banner = message && <Banner tone={message.tone} onDismiss={() => setMessage(null)}><p>{message.text}</p></Banner>;
  return { setMessage, succeed, fail, banner };
}
