import { useEffect, useState } from 'react';
import { BlockStack, Card, Checkbox, Layout, SkeletonBodyText, Text } from '@shopify/polaris';
import { api, countOf, type ControlGroupSettings } from '../api';
import { useSectionMessage } from './useSectionMessage';

/** The control group: off by default; on, a stable tenth of listed customers is held out of every list so the lift can be measured. */
export function ControlGroupSection() {
  const [group, setGroup] = useState<ControlGroupSettings | null>(null);
  const [busy, setBusy] = useState(false);
  const { setMessage, fail, banner } = useSectionMessage();

  useEffect(() => {
    api<ControlGroupSettings>('/api/settings/control-group').then(setGroup).catch(fail);
  }, []);

  const title = 'Measure what win-back earns';
  if (!group) return <Layout.AnnotatedSection title={title}><Card><SkeletonBodyText lines={3} /></Card></Layout.AnnotatedSection>;

  const toggle = async (on: boolean) => {
    setBusy(true);
    try {
      setGroup(await api<ControlGroupSettings>('/api/settings/control-group', { method: 'PUT', body: JSON.stringify({ on }) }));
      setMessage({
        tone: 'success',
        text: on ? 'Control group on: from the next Sheet, tag, export and digest, the same customers are held out each time.' : 'Control group off: every listed customer is included again.',
      });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Layout.AnnotatedSection title={title}
      description="Off by default. Compare the customers WinBack lists with a control group it leaves out, to see how many more come back because of your win-back.">
      <Card>
        <BlockStack gap="300">
          {banner}
          <Checkbox label={`Hold out a control group (${group.percent} % of listed customers)`} checked={group.on} disabled={busy} onChange={toggle}
            helpText="Each customer is in or out at random, and stays so week after week." />
          <Text as="p">{group.why}</Text>
          <Text as="p" tone="subdued">
            {`${countOf(group.heldOutCustomers, 'customer')} held out of ${countOf(group.listedCustomers, 'listed customer')} in the last ${group.lookbackDays} days. `}
            The report page still shows everyone.
          </Text>
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}
