import { TresorClient } from '@tresor/sdk';

/** The app talks to the server it was loaded from, so API calls stay same-origin (and within the CSP). */
export const tresorClient = new TresorClient({ baseUrl: '' });
