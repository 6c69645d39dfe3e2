/** What "newest" compares: AWS's CreationDate (ISO 8601), then the image name (versions sort up). */
export interface DatedImage {
  creationDate?: string | undefined;
  name?: string | undefined;
}

/**
 * Sort comparator, newest first: the later CreationDate, and for equal dates (moto gives every image
 * it loads the same one) the greater name, so "Nessus 10.9.1 …" beats "Nessus 10.8.3 …". `up` picks
 * its AMI with it and the sandbox names the same image as the one `up` will use.
 */
export function newestFirst(a: DatedImage, b: DatedImage): number {
  return (b.creationDate ?? '').localeCompare(a.creationDate ?? '') || (b.name ?? '').localeCompare(a.name ?? '');
}
