import type { Download, Page } from 'playwright-core';

export interface PatientInput {
  readonly givenName: string;
  readonly familyName: string;
  readonly birthDate: string;
  readonly city?: string;
  readonly kvnr?: string;
}

/** The patient list with its instant search. */
export class PatientListPage {
  constructor(private readonly page: Page) {}

  async search(query: string): Promise<void> {
    await this.page.getByLabel('Suchen').fill(query);
  }

  /** The hits shown now, as "Family, Given" with the match kind. */
  async hits(): Promise<{ name: string; match: string }[]> {
    const hits = this.page.getByTestId('patient-hit');
    return Promise.all(
      (await hits.all()).map(async (hit) => ({
        name: (await hit.locator('.patient-list__name').textContent()) ?? '',
        match:
          (await hit
            .locator('.tag')
            .textContent()
            .catch(() => '')) ?? '',
      })),
    );
  }

  /** Waits until the count line says `text` (e.g. "3 Patienten" or "1 Treffer"). */
  async waitForCount(text: string): Promise<void> {
    await this.page.getByRole('status').filter({ hasText: text }).waitFor({ timeout: 30_000 });
  }

  async openNew(): Promise<void> {
    await this.page.getByRole('link', { name: 'Neuer Patient' }).click();
  }

  async open(name: string): Promise<void> {
    await this.page.getByTestId('patient-hit').filter({ hasText: name }).getByRole('link').click();
  }
}

/** The master-data form (new and edit). */
export class PatientFormPage {
  constructor(private readonly page: Page) {}

  async fill(input: PatientInput): Promise<void> {
    await this.page.getByLabel('Vorname').fill(input.givenName);
    await this.page.getByLabel('Nachname').fill(input.familyName);
    await this.page.getByLabel('Geburtsdatum').fill(input.birthDate);
    if (input.city !== undefined) await this.page.getByLabel('Ort').fill(input.city);
    if (input.kvnr !== undefined) await this.page.getByLabel('KVNR').fill(input.kvnr);
  }

  async value(label: string): Promise<string> {
    return this.page.getByLabel(label, { exact: true }).inputValue();
  }

  async submit(label: 'Patient anlegen' | 'Speichern'): Promise<void> {
    await this.page.getByRole('button', { name: label }).click();
  }

  errorAlert() {
    return this.page.getByRole('alert');
  }
}

/** One patient's record. */
export class PatientDetailPage {
  constructor(private readonly page: Page) {}

  async waitFor(title: string): Promise<void> {
    await this.page.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: 30_000 });
  }

  async edit(): Promise<void> {
    await this.page.getByRole('link', { name: 'Bearbeiten' }).click();
  }

  async history(): Promise<void> {
    await this.page.getByRole('link', { name: 'Versionen' }).click();
  }

  async addDiagnosis(icd10: string, text: string): Promise<void> {
    await this.page.getByLabel('Art').selectOption('diagnosis');
    await this.page.getByLabel('ICD-10-GM-Code').fill(icd10);
    await this.page.getByLabel('Beschreibung').fill(text);
    await this.page.getByRole('button', { name: 'Eintrag hinzufügen' }).click();
    await this.page.getByTestId('entries').getByText(icd10).waitFor({ timeout: 30_000 });
  }

  /** Uploads the file at `path` and waits until it is listed (progress is shown meanwhile). */
  async upload(path: string, name: string): Promise<void> {
    await this.page.getByLabel('Datei auswählen (bis 500 MB)').setInputFiles(path);
    await this.page.getByRole('button', { name: 'Verschlüsselt hochladen' }).click();
    await this.page.getByTestId('upload-progress').waitFor({ timeout: 30_000 });
    await this.page.locator(`[data-testid="document"][data-name="${name}"]`).waitFor({ timeout: 120_000 });
  }

  /** Starts an upload without waiting for it to finish. */
  async startUpload(path: string): Promise<void> {
    await this.page.getByLabel('Datei auswählen (bis 500 MB)').setInputFiles(path);
    await this.page.getByRole('button', { name: 'Verschlüsselt hochladen' }).click();
  }

  /** An interrupted upload as listed: its progress line. */
  async pendingUpload(name: string): Promise<string> {
    const row = this.page.locator(`[data-testid="pending-upload"][data-name="${name}"]`);
    await row.waitFor({ timeout: 30_000 });
    return (await row.locator('.document-row__meta').textContent()) ?? '';
  }

  /** Chooses the file again for an interrupted upload and waits until it is a complete document. */
  async resumeUpload(path: string, name: string): Promise<void> {
    await this.page.getByLabel(`Datei „${name}“ erneut wählen, um fortzusetzen`).setInputFiles(path);
    await this.page.locator(`[data-testid="document"][data-name="${name}"]`).waitFor({ timeout: 120_000 });
    await this.page
      .locator(`[data-testid="pending-upload"][data-name="${name}"]`)
      .waitFor({ state: 'detached' });
  }

  async uploadProgressText(): Promise<string> {
    return (await this.page.getByTestId('upload-progress').textContent()) ?? '';
  }

  async download(name: string): Promise<Download> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download', { timeout: 120_000 }),
      this.page.getByRole('button', { name: `${name} herunterladen` }).click(),
    ]);
    return download;
  }

  async erase(reason: string): Promise<void> {
    await this.page.getByLabel('Begründung (erforderlich, wird verschlüsselt)').fill(reason);
    await this.page.getByLabel('Ich will diese Akte unwiderruflich löschen.').check();
    await this.page.getByRole('button', { name: 'Endgültig löschen' }).click();
  }

  retentionNotice() {
    return this.page.getByText('gesetzlichen Aufbewahrungsfrist');
  }
}

/** The version history of a patient's master data. */
export class PatientHistoryPage {
  constructor(private readonly page: Page) {}

  /** Versions shown, newest first: their heading and which groups are marked changed. */
  async versions(): Promise<{ title: string; changed: string[] }[]> {
    const items = this.page.getByTestId('version');
    await items.first().waitFor({ timeout: 30_000 });
    return Promise.all(
      (await items.all()).map(async (item) => ({
        title: (await item.getByRole('heading').textContent()) ?? '',
        changed: await item.locator('.fact--changed dt').allTextContents(),
      })),
    );
  }
}
