import { useState } from 'react';
import { BlockStack } from '@shopify/polaris';
import { type ReportContext } from '../api';
import { readParams, writeParams } from '../url';
import { RfmGrid } from '../components/RfmGrid';
import { InactiveReport } from './InactiveReport';

/** The RFM grid over every customer with an order; a group's cell lists its customers (the list of all, filtered by group). */
export function RfmPage({ context }: { context: ReportContext }) {
  const [group, setGroup] = useState(() => readParams().get('rfm'));
  const select = (key: string | null) => {
    writeParams(new URLSearchParams(key ? { tab: 'rfm', rfm: key } : { tab: 'rfm' }));
    setGroup(key);
  };
  return (
    <BlockStack gap="400">
      <RfmGrid context={context} selected={group} onSelect={select} />
      <InactiveReport key={group ?? ''} context={context} list="all" />
    </BlockStack>
  );
}
