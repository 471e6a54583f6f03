// Renders the first pages of the built PDF to images, entirely in the webview (pdf.js bundled
// with the app; nothing is fetched). Loaded lazily so the unlock screen starts fast.
import * as pdfjs from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;

/** PNG data URLs of the first `pages` pages, each `width` CSS pixels wide. */
export async function renderFirstPages(pdf: ArrayBuffer, pages: number, width: number): Promise<string[]> {
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), isEvalSupported: false, disableFontFace: false }).promise;
  const out: string[] = [];
  try {
    for (let i = 1; i <= Math.min(pages, doc.numPages); i++) {
      const page = await doc.getPage(i);
      const base = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({ scale: (width * 2) / base.width });
      const canvas = document.createElement('canvas');
      canvas.width = Math.ceil(viewport.width);
      canvas.height = Math.ceil(viewport.height);
      const ctx = canvas.getContext('2d');
      if (!ctx) break;
      await page.render({ canvasContext: ctx, viewport }).promise;
      out.push(canvas.toDataURL('image/png'));
    }
  } finally {
    await doc.destroy();
  }
  return out;
}
