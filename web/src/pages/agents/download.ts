/** Saves text as a file through a temporary object URL (no navigation, so nothing leaves the page half-loaded). */
export function saveTextFile(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL; let it finish before freeing it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
