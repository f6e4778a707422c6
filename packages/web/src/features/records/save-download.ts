/** From this size on, a download is streamed to disk where the browser allows it. */
export const STREAM_TO_DISK_FROM = 100 * 1024 * 1024;

interface SaveFilePickerOptions {
  readonly suggestedName?: string;
}
type SaveFilePicker = (options?: SaveFilePickerOptions) => Promise<FileSystemFileHandle>;

function saveFilePicker(): SaveFilePicker | undefined {
  const picker = (window as Window & { showSaveFilePicker?: SaveFilePicker }).showSaveFilePicker;
  return typeof picker === 'function' ? picker.bind(window) : undefined;
}

/** True when this browser can write a download straight to a file the user picks (File System Access API). */
export function canStreamToDisk(): boolean {
  return saveFilePicker() !== undefined;
}

/** Where a download goes: a file on disk the user picked, or memory (then a normal download). */
export type SaveTarget =
  { readonly kind: 'disk'; readonly file: FileSystemFileHandle } | { readonly kind: 'memory' };

/**
 * Chooses where to save a download of `size` bytes. Large files go to a file the user picks, when
 * the browser supports it; must be called directly from the click (the picker needs the user's
 * gesture). Rejects with AbortError when the user closes the picker.
 */
export async function chooseSaveTarget(name: string, size: number): Promise<SaveTarget> {
  const picker = saveFilePicker();
  if (size < STREAM_TO_DISK_FROM || picker === undefined) return { kind: 'memory' };
  return { kind: 'disk', file: await picker({ suggestedName: name }) };
}

/**
 * Writes decrypted bytes to the chosen target. On disk they stream chunk by chunk (the browser
 * writes to a temporary file and moves it into place when complete; an error discards it). In
 * memory they are collected into a Blob in this page (never in a cache or storage), offered
 * through a temporary object URL, then released.
 */
export async function saveStream(
  target: SaveTarget,
  stream: ReadableStream<Uint8Array>,
  name: string,
  type: string,
): Promise<void> {
  if (target.kind === 'disk') {
    const writable = await target.file.createWritable();
    await stream.pipeTo(writable);
    return;
  }
  await saveStreamAsFile(stream, name, type);
}

async function saveStreamAsFile(
  stream: ReadableStream<Uint8Array>,
  name: string,
  type: string,
): Promise<void> {
  const blob = await new Response(stream).blob();
  const url = URL.createObjectURL(type === '' ? blob : new Blob([blob], { type }));
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // Give the browser a moment to start the download before the URL goes away.
    window.setTimeout(() => {
      URL.revokeObjectURL(url);
    }, 60_000);
  }
}
