import { useState } from 'react';
import { BlockStack, Button, InlineStack, Popover, Text, TextField } from '@shopify/polaris';
import { api, ApiError, type SavedView } from '../api';

/** Rename or delete the shop's saved views, from the report where they are used. */
export function SavedViewsManager({ views, onViews }: { views: SavedView[]; onViews: (views: SavedView[]) => void }) {
  const [open, setOpen] = useState(false);
  const [names, setNames] = useState<Record<number, string>>({});
  const [errors, setErrors] = useState<Record<number, string>>({});

  const nameOf = (view: SavedView) => names[view.id] ?? view.name;
  const setError = (id: number, message: string | null) =>
    setErrors((current) => { const next = { ...current }; if (message) next[id] = message; else delete next[id]; return next; });

  const rename = async (view: SavedView) => {
    try {
      const saved = await api<SavedView>(`/api/views/${view.id}`, { method: 'PATCH', body: JSON.stringify({ name: nameOf(view) }) });
      onViews(views.map((v) => (v.id === saved.id ? saved : v)).sort((a, b) => a.name.localeCompare(b.name)));
      setNames((current) => { const next = { ...current }; delete next[view.id]; return next; });
      setError(view.id, null);
    } catch (e) {
      setError(view.id, e instanceof ApiError ? e.message : 'The view could not be renamed.');
    }
  };

  const remove = async (view: SavedView) => {
    try {
      await api(`/api/views/${view.id}`, { method: 'DELETE' });
      onViews(views.filter((v) => v.id !== view.id));
    } catch (e) {
      setError(view.id, e instanceof ApiError ? e.message : 'The view could not be deleted.');
    }
  };

  return (
    <Popover active={open} onClose={() => setOpen(false)} preferredAlignment="right"
      activator={<Button onClick={() => setOpen((o) => !o)} disabled={views.length === 0}>Manage views</Button>}>
      <div style={{ padding: 12, width: 360 }}>
        <BlockStack gap="300">
          <Text as="p" tone="subdued">Scheduled reports and Google Sheets that use a view keep it under its new name.</Text>
          {views.map((view) => (
            <InlineStack key={view.id} gap="200" blockAlign="end" wrap={false}>
              <div style={{ flex: 1 }}>
                <TextField label={`Name of "${view.name}"`} labelHidden autoComplete="off" value={nameOf(view)} error={errors[view.id]}
                  onChange={(value) => setNames((current) => ({ ...current, [view.id]: value }))} />
              </div>
              <Button onClick={() => rename(view)} disabled={nameOf(view).trim() === view.name} accessibilityLabel={`Rename ${view.name}`}>Rename</Button>
              <Button tone="critical" onClick={() => remove(view)} accessibilityLabel={`Delete ${view.name}`}>Delete</Button>
            </InlineStack>
          ))}
        </BlockStack>
      </div>
    </Popover>
  );
}
