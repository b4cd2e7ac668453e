import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppProvider } from '@shopify/polaris';
import { PolarisVizProvider } from '@shopify/polaris-viz';
import en from '@shopify/polaris/locales/en.json';
import '@shopify/polaris/build/esm/styles.css';
import '@shopify/polaris-viz/build/esm/styles.css';
import { App } from './App';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider i18n={en}>
      <PolarisVizProvider>
        <App />
      </PolarisVizProvider>
    </AppProvider>
  </StrictMode>,
);
