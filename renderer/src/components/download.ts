// Saves text as a file the way a page can, in the app (Electron shows its save dialog) and in a
// browser through `imagedrop serve` alike: a Blob behind a temporary <a download>.
export function downloadText(fileName: string, mediaType: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mediaType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    // Revoked after the click has been handled (a same-tick revoke can cancel the download).
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  }
}
