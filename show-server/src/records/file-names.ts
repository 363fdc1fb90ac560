/** A title made safe as a file or folder name in a download or an archive: no slashes, quotes or control characters. */
export function safeFileName(text: string, maxLength = 80): string {
  return (
    text
      .replace(/[^\p{L}\p{N} .,_()'&!-]+/gu, '-')
      .trim()
      .slice(0, maxLength) || 'untitled'
  );
}
