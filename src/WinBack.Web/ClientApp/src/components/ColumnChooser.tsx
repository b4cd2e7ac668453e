import { useState } from 'react';
import { Button, ChoiceList, Popover } from '@shopify/polaris';

/** "Columns": which of the table's columns to show; the first one (the customer, the row's link) always is. */
export function ColumnChooser({ columns, chosen, onChange }: { columns: { key: string; title: string }[]; chosen: string[]; onChange: (chosen: string[]) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <Popover active={open} onClose={() => setOpen(false)} activator={<Button onClick={() => setOpen((o) => !o)} disclosure>Columns</Button>}>
      <div style={{ padding: 12, width: 240 }}>
        <ChoiceList title="Columns to show" allowMultiple selected={chosen}
          choices={columns.map((c, index) => ({ label: c.title, value: c.key, disabled: index === 0 }))}
          onChange={(selected) => onChange(columns.map((c) => c.key).filter((key, index) => index === 0 || selected.includes(key)))} />
      </div>
    </Popover>
  );
}
