import { useState } from 'react';
import { BlockStack, Button, Collapsible, Text } from '@shopify/polaris';
import type { Playbook } from '../api';

/** A playbook's steps in the order to send them, and the offer its customers' weeks away call for. */
export function PlaybookSteps({ playbook }: { playbook: Playbook }) {
  return (
    <BlockStack gap="100">
      <ol style={{ margin: 0, paddingInlineStart: 20 }}>
        {playbook.steps.map((step) => (
          <li key={step.action}><Text as="span" fontWeight="semibold">{step.action}</Text>{`: ${step.detail}`}</li>
        ))}
      </ol>
      <Text as="p" tone="subdued">{`Offer: ${playbook.offer}.`}</Text>
    </BlockStack>
  );
}

/** "What to do" under a segment: closed by default, so the cards stay short above the table. */
export function PlaybookDisclosure({ playbook }: { playbook: Playbook }) {
  const [open, setOpen] = useState(false);
  const id = `playbook-${playbook.key}`;
  return (
    <BlockStack gap="100">
      <div>
        <Button variant="plain" disclosure={open ? 'up' : 'down'} onClick={() => setOpen(!open)} ariaExpanded={open} ariaControls={id}
          accessibilityLabel={`What to do with ${playbook.title}`}>What to do</Button>
      </div>
      <Collapsible id={id} open={open}><PlaybookSteps playbook={playbook} /></Collapsible>
    </BlockStack>
  );
}
